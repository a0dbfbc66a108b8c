import { createTestDatabase, type TestDatabase } from '@pgq/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PubSub, type Subscription } from '../src/index.js';
import { take } from './support.js';

let db: TestDatabase;
let publisher: PubSub;
let bus: PubSub;
let pull: Subscription<string>;

beforeAll(async () => {
  db = await createTestDatabase();
  publisher = new PubSub(db.pgq);
  bus = new PubSub(db.connect());
  pull = await bus.subscribe<string>('tx.events');
});
afterAll(async () => {
  await Promise.all([publisher.close(), bus.close()]);
  await db.dispose();
});

async function storedCount(): Promise<number> {
  const rows = await db.pgq.query<{ count: number }>(
    `select count(*)::int as count from ${db.pgq.table('pubsub_payloads')}`,
  );
  return rows[0]?.count ?? -1;
}

// Whatever arrives before the marker was sent before it: proves what was (not) published.
async function receivedUpToMarker(marker: string): Promise<string[]> {
  await publisher.publish('tx.events', marker);
  const payloads: string[] = [];
  for (;;) {
    const [message] = await take(pull, 1);
    if (message?.payload === marker) return payloads;
    payloads.push(message!.payload);
  }
}

describe('publish with { tx }', () => {
  it('publishes nothing from a rolled-back Kysely transaction, small or large', async () => {
    const before = await storedCount();
    await expect(
      db.pgq.db.transaction().execute(async (tx) => {
        await publisher.publish('tx.events', 'small, rolled back', { tx });
        await publisher.publish('tx.events', 'L'.repeat(20_000), { tx });
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    expect(await receivedUpToMarker('marker-1')).toEqual([]);
    expect(await storedCount()).toBe(before);
  });

  it('publishes a committed Kysely transaction on commit, not before', async () => {
    await db.pgq.db.transaction().execute(async (tx) => {
      await publisher.publish('tx.events', 'committed', { tx });
      await publisher.publish('tx.events', 'C'.repeat(20_000), { tx });
      // Not yet committed: nothing may arrive.
      expect(await pull.next({ timeoutMs: 100 })).toBeNull();
    });
    expect(await receivedUpToMarker('marker-2')).toEqual(['committed', 'C'.repeat(20_000)]);
  });

  it('follows a pg client inside BEGIN: nothing on ROLLBACK, everything on COMMIT', async () => {
    const client = await db.pgq.pool.connect();
    try {
      await client.query('begin');
      await publisher.publish('tx.events', 'client, rolled back', { tx: client });
      await client.query('rollback');
      expect(await receivedUpToMarker('marker-3')).toEqual([]);

      await client.query('begin');
      await publisher.publish('tx.events', 'client, committed', { tx: client });
      await publisher.publish('tx.events', 'client, committed', { tx: client });
      expect(await pull.next({ timeoutMs: 100 })).toBeNull();
      await client.query('commit');
    } finally {
      client.release();
    }
    // Two equal messages in one transaction stay two (PostgreSQL folds equal NOTIFYs).
    expect(await receivedUpToMarker('marker-4')).toEqual([
      'client, committed',
      'client, committed',
    ]);
  });
});
