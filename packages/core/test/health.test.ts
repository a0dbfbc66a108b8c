import { health } from '@pgq/core';
import { createTestDatabase, type TestDatabase } from '@pgq/testing';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

let db: TestDatabase;
let holder: pg.Client;

beforeAll(async () => {
  db = await createTestDatabase({ migrate: false });
  await db.pgq.query(`create schema ${db.pgq.quotedSchema}`);
  await db.pgq.query(`create table ${db.pgq.table('churn')} (id int)`);
  holder = new pg.Client({ connectionString: db.url });
  await holder.connect();
});

afterAll(async () => {
  await holder.end();
  await db.dispose();
});

describe('health', () => {
  it('warns about a REPEATABLE READ transaction holding the xmin horizon, and not after it ends', async () => {
    await holder.query('begin isolation level repeatable read');
    // The snapshot, and with it the horizon, is taken by the first statement, not by BEGIN.
    await holder.query('select 1');
    const pid = (holder as unknown as { processID: number }).processID;
    await expect
      .poll(async () => (await health(db.pgq, { maxXminAgeMs: 200 })).warnings, {
        timeout: 5_000,
        interval: 100,
      })
      .toContainEqual(
        expect.objectContaining({
          code: 'PGQ_XMIN_HORIZON_HELD',
          holder: expect.objectContaining({ kind: 'session', pid, state: 'idle in transaction' }),
        }),
      );
    const held = await health(db.pgq, { maxXminAgeMs: 200 });
    expect(held.ok).toBe(false);
    expect(held.oldestXminAgeMs).toBeGreaterThan(200);

    const lenient = await health(db.pgq, { maxXminAgeMs: 600_000 });
    expect(lenient.warnings.filter((warning) => warning.holder?.pid === pid)).toEqual([]);
    expect(lenient.xminHolders.map((found) => found.pid)).toContain(pid);

    await holder.query('commit');
    const after = await health(db.pgq, { maxXminAgeMs: 200 });
    expect(after.xminHolders.map((found) => found.pid)).not.toContain(pid);
  });

  // Issue 26: any login may LISTEN and then hold a transaction open. Its session reads no
  // notification until the transaction ends, so the server's NOTIFY queue, shared by every
  // database, cannot be trimmed past it and grows with every NOTIFY anyone sends.
  it('reports the NOTIFY queue filling while a listening session holds a transaction open', async () => {
    const sender = new pg.Client({ connectionString: db.url });
    await sender.connect();
    try {
      await holder.query('listen pgq_health_test');
      await holder.query('begin');
      await holder.query('select 1');
      const before = (await health(db.pgq)).notifyQueueUsage;
      // 7,000 bytes each: about a queue page (8 kB) per notification.
      for (let sent = 0; sent < 200; sent++) {
        await sender.query('select pg_notify($1, $2)', ['pgq_health_other', 'x'.repeat(7_000)]);
      }
      const held = await health(db.pgq, { maxNotifyQueueUsage: 0 });
      expect(held.notifyQueueUsage).toBeGreaterThan(before);
      expect(held.ok).toBe(false);
      expect(held.warnings).toContainEqual(
        expect.objectContaining({
          code: 'PGQ_NOTIFY_QUEUE_FILLING',
          message: expect.stringMatching(
            /^The NOTIFY queue is \d+\.\d% full: a session that LISTENs/,
          ),
        }),
      );
      // The default threshold, half full, is far off.
      expect((await health(db.pgq)).warnings.map((warning) => warning.code)).not.toContain(
        'PGQ_NOTIFY_QUEUE_FILLING',
      );
      await holder.query('commit');
      await expect
        .poll(async () => (await health(db.pgq)).notifyQueueUsage, { timeout: 5_000, interval: 50 })
        .toBeLessThan(held.notifyQueueUsage);
    } finally {
      await holder.query('rollback').catch(() => {});
      await holder.query('unlisten *');
      await sender.end();
    }
  });

  it("lists the schema's tables with their dead rows", async () => {
    const report = await health(db.pgq);
    expect(report.tables).toContainEqual(
      expect.objectContaining({ name: 'churn', liveTuples: expect.any(Number), deadTuples: 0 }),
    );
  });
});
