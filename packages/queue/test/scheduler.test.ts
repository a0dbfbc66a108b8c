import {
  InvalidNameError,
  QueueNotFoundError,
  type StandardSchemaV1,
  ValidationError,
} from '@pgq/core';
import { createTestDatabase, type TestDatabase } from '@pgq/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Scheduler } from '../src/scheduler/scheduler.js';
import { databaseNow, freshQueue } from './scheduler-helpers.js';

let db: TestDatabase;
const hourMs = 3_600_000;

beforeAll(async () => {
  db = await createTestDatabase();
});

afterEach(async () => {
  await db.pgq.query(`delete from ${db.pgq.table('schedules')}`);
});

afterAll(async () => {
  await db.dispose();
});

async function scheduleCount(): Promise<number> {
  const [row] = await db.pgq.query<{ count: number }>(
    `select count(*)::int as count from ${db.pgq.table('schedules')}`,
  );
  return row!.count;
}

describe('Scheduler.set', () => {
  it('refuses a bad schedule with the right error and stores nothing', async () => {
    await freshQueue(db.pgq, 'reports');
    const scheduler = new Scheduler(db.pgq);
    const good = { cron: '0 3 * * *', queue: 'reports' };
    const refused: Array<[string, Record<string, unknown>, new (...args: never[]) => Error]> = [
      ['bad-cron', { ...good, cron: '61 * * * *' }, ValidationError],
      ['not-cron', { ...good, cron: 'every day' }, ValidationError],
      ['four-fields', { ...good, cron: '* * * *' }, ValidationError],
      ['question-mark', { ...good, cron: '0 9 ? * *' }, ValidationError],
      ['never-fires', { ...good, cron: '0 0 30 2 *' }, ValidationError],
      ['unknown-zone', { ...good, timezone: 'Mars/Olympus' }, ValidationError],
      ['misspelt-option', { ...good, timeZone: 'Europe/Paris' }, ValidationError],
      ['bad-catch-up', { ...good, catchUp: 'some' }, ValidationError],
      ['bad-grace', { ...good, graceMs: 10 }, ValidationError],
      ['bad-priority', { ...good, options: { priority: 1.5 } }, ValidationError],
      ['bad-job-option', { ...good, options: { runAt: new Date() } }, ValidationError],
      ['bad-payload', { ...good, payload: { id: 1n } }, ValidationError],
      ['bad-queue-name', { ...good, queue: 'no spaces' }, InvalidNameError],
      ['missing-queue', { ...good, queue: 'nowhere' }, QueueNotFoundError],
      ['bad name!', good, InvalidNameError],
    ];
    for (const [name, definition, type] of refused) {
      await expect(scheduler.set(name, definition as never), name).rejects.toBeInstanceOf(type);
    }
    expect(await scheduler.list()).toEqual([]);
    expect(await scheduleCount()).toBe(0);
    // A refused replacement leaves the stored schedule as it was.
    const stored = await scheduler.set('nightly', good);
    await expect(scheduler.set('nightly', { ...good, timezone: 'Nowhere/Land' })).rejects.toThrow(
      /unknown time zone/,
    );
    expect(await scheduler.get('nightly')).toEqual(stored);
  });

  it('validates the payload with the queue contract', async () => {
    await freshQueue(db.pgq, 'typed');
    const positive: StandardSchemaV1<number, number> = {
      '~standard': {
        version: 1,
        vendor: 'test',
        validate: (value) =>
          typeof value === 'number' && value > 0
            ? { value }
            : { issues: [{ message: 'must be positive' }] },
      },
    };
    const contract = { name: 'typed', schema: positive, defaults: { priority: 7 } };
    const scheduler = new Scheduler(db.pgq);
    await expect(
      scheduler.set('typed', { cron: '@daily', queue: contract, payload: -1 }),
    ).rejects.toThrow(ValidationError);
    const stored = await scheduler.set('typed', { cron: '@daily', queue: contract, payload: 5 });
    expect(stored).toMatchObject({ queue: 'typed', payload: 5, options: { priority: 7 } });
  });

  it('is an upsert that keeps the next tick unless the expression or zone changes', async () => {
    await freshQueue(db.pgq, 'reports');
    const scheduler = new Scheduler(db.pgq);
    const before = await databaseNow(db.pgq);
    const first = await scheduler.set('nightly', {
      cron: '0 3 * * *',
      timezone: 'utc',
      queue: 'reports',
      payload: { v: 1 },
    });
    expect(first).toMatchObject({
      name: 'nightly',
      cron: '0 3 * * *',
      timezone: 'UTC',
      queue: 'reports',
      payload: { v: 1 },
      options: {},
      catchUp: 'latest',
      graceMs: 60_000,
      lastRunAt: null,
    });
    // The first 03:00 UTC after now, on the database clock.
    expect(first.nextRunAt!.getUTCHours()).toBe(3);
    expect(first.nextRunAt!.getTime()).toBeGreaterThan(before.getTime());
    expect(first.nextRunAt!.getTime() - before.getTime()).toBeLessThanOrEqual(24 * hourMs);

    const second = await scheduler.set('nightly', {
      cron: '0 3 * * *',
      queue: 'reports',
      payload: { v: 2 },
      options: { priority: 3, maxAttempts: 1 },
      catchUp: 'all',
      graceMs: 5_000,
    });
    expect(second).toMatchObject({
      payload: { v: 2 },
      options: { priority: 3, maxAttempts: 1 },
      catchUp: 'all',
      graceMs: 5_000,
      nextRunAt: first.nextRunAt,
      createdAt: first.createdAt,
    });
    expect(second.updatedAt.getTime()).toBeGreaterThan(first.updatedAt.getTime());

    // A tick missed while no scheduler ran survives a `set` with the same expression...
    const missed = new Date(first.nextRunAt!.getTime() - 2 * 24 * hourMs);
    await db.pgq.query(`update ${db.pgq.table('schedules')} set next_run_at = $1`, [missed]);
    expect(
      (await scheduler.set('nightly', { cron: '0 3 * * *', queue: 'reports' })).nextRunAt,
    ).toEqual(missed);
    // ...and a new expression (or zone) starts over from now.
    const moved = await scheduler.set('nightly', {
      cron: '0 3 * * *',
      timezone: 'Asia/Tokyo',
      queue: 'reports',
    });
    expect(moved.nextRunAt!.getUTCHours()).toBe(18);
    expect(moved.nextRunAt!.getTime()).toBeGreaterThan(before.getTime());
    expect((await scheduler.list()).map((schedule) => schedule.name)).toEqual(['nightly']);
  });

  it('joins the caller’s transaction with { tx }', async () => {
    await freshQueue(db.pgq, 'reports');
    const scheduler = new Scheduler(db.pgq);
    const client = await db.pgq.pool.connect();
    try {
      await client.query('begin');
      await scheduler.set('in-tx', { cron: '@hourly', queue: 'reports' }, { tx: client });
      await client.query('rollback');
      expect(await scheduler.get('in-tx')).toBeNull();
      await client.query('begin');
      await scheduler.set('in-tx', { cron: '@hourly', queue: 'reports' }, { tx: client });
      await client.query('commit');
    } finally {
      client.release();
    }
    expect(await scheduler.get('in-tx')).toMatchObject({ cron: '@hourly' });
    expect(await scheduler.remove('in-tx')).toBe(true);
  });
});
