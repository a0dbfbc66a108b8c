import { NotInstalledError, type Pgq, ValidationError } from '@pgq/core';
import { createTestDatabase, type TestDatabase } from '@pgq/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Cache } from '../src/index.js';

let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase();
});

afterAll(async () => {
  await db.dispose();
});

/** A pgq of its own whose pool counts the statements it runs (one checkout each). */
function countingPgq(): { pgq: Pgq; statements: () => number } {
  const pgq = db.connect();
  let checkouts = 0;
  pgq.pool.on('acquire', () => {
    checkouts++;
  });
  return { pgq, statements: () => checkouts };
}

/** The transaction ids that wrote these keys: one id means one statement wrote them all. */
async function writers(namespace: string, keys: string[]): Promise<Set<string>> {
  const rows = await db.pgq.query<{ writer: string }>(
    `select xmin::text as writer from ${db.pgq.table('cache_entries')}
      where namespace = $1 and key = any($2::text[])`,
    [namespace, keys],
  );
  return new Set(rows.map((row) => row.writer));
}

describe('coalescing concurrent calls', () => {
  it('writes a burst of sets in one statement and reads a burst of gets in another, each caller getting its own value', async () => {
    const { pgq, statements } = countingPgq();
    const cache = new Cache(pgq, { namespace: 'burst' });
    const keys = Array.from({ length: 60 }, (_, index) => `key:${index % 40}`);
    const storedAt = (index: number) =>
      index % 7 === 0 ? Buffer.from([index, 0, 255]) : { index, tags: [index, 'x'] };
    const before = statements();
    await Promise.all(
      keys.map((key, index) => cache.set(key, storedAt(index), index % 2 === 0 ? 60 : undefined)),
    );
    expect(statements() - before).toBe(1);
    expect(await writers('burst', keys)).toHaveProperty('size', 1);

    const asked = [...keys, 'missing', 'key:3', 'missing'];
    const beforeReads = statements();
    const results = await Promise.all(asked.map((key) => cache.get(key)));
    expect(statements() - beforeReads).toBe(1);
    // Keys 0..19 were written twice in the burst (indexes i and i + 40): the later call won.
    const lastIndexOf = (key: string) => keys.lastIndexOf(key);
    asked.forEach((key, position) => {
      const index = lastIndexOf(key);
      expect(results[position]).toEqual(index === -1 ? undefined : storedAt(index));
    });
    // TTLs came from each key's own last call.
    expect(await cache.ttl('key:0')).toBeGreaterThan(59); // index 40: TTL 60
    expect(await cache.ttl('key:1')).toBeNull(); // index 41: no TTL
    // A repeated key still hands each caller its own object or Buffer.
    const [first, second] = await Promise.all([cache.get('key:3'), cache.get('key:3')]);
    expect(first).toEqual(second);
    expect(first).not.toBe(second);
    const [bytesA, bytesB] = await Promise.all([
      cache.get<Buffer>('key:21'),
      cache.get<Buffer>('key:21'),
    ]);
    expect(Buffer.isBuffer(bytesA) && bytesA.equals(bytesB!)).toBe(true);
    bytesA![0] = 99;
    expect(bytesB![0]).toBe(21);
  });

  it('lets the last of several sets of one key in one batch win', async () => {
    const cache = new Cache(db.pgq, { namespace: 'duplicates' });
    await Promise.all([
      cache.set('same', 'first', 10),
      cache.set('other', 'o'),
      cache.set('same', 'second'),
      cache.set('same', 'last', 100),
    ]);
    expect(await cache.get('same')).toBe('last');
    expect(await cache.ttl('same')).toBeGreaterThan(99);
    expect(await cache.get('other')).toBe('o');
  });

  it('keeps a bad value, or a failing row, from failing the other callers of the batch', async () => {
    const cache = new Cache(db.pgq, { namespace: 'isolation' });
    const table = db.pgq.table('cache_entries');
    // A real per-row failure inside the statement: a trigger that refuses one key.
    await db.pgq.query(`
      create function ${db.pgq.quotedSchema}.refuse_poison() returns trigger language plpgsql as $$
      begin
        if new.key = 'poison' then raise exception 'poisoned row'; end if;
        return new;
      end $$`);
    await db.pgq.query(
      `create trigger refuse_poison before insert or update on ${table}
         for each row execute function ${db.pgq.quotedSchema}.refuse_poison()`,
    );
    try {
      const outcomes = await Promise.allSettled([
        cache.set('good:1', 1),
        cache.set('bigint', { when: 10n }),
        cache.set('poison', 'x'),
        cache.set('good:2', 2),
        cache.set('good:1', 'one'),
      ]);
      expect(outcomes.map((outcome) => outcome.status)).toEqual([
        'fulfilled',
        'rejected',
        'rejected',
        'fulfilled',
        'fulfilled',
      ]);
      expect((outcomes[1] as PromiseRejectedResult).reason).toBeInstanceOf(ValidationError);
      expect((outcomes[2] as PromiseRejectedResult).reason).toMatchObject({
        message: 'poisoned row',
      });
      expect(await cache.getMany(['good:1', 'good:2', 'poison', 'bigint'])).toEqual(
        new Map<string, unknown>([
          ['good:1', 'one'],
          ['good:2', 2],
        ]),
      );
    } finally {
      await db.pgq.query(`drop trigger refuse_poison on ${table}`);
    }

    // A stored value that does not parse fails only the reads of that key.
    await db.pgq.query(
      `insert into ${table} (namespace, key, value) values ('isolation', 'garbled', 'not json')`,
    );
    const reads = await Promise.allSettled([
      cache.get('good:2'),
      cache.get('garbled'),
      cache.get('missing'),
    ]);
    expect(reads[0]).toEqual({ status: 'fulfilled', value: 2 });
    expect(reads[1]).toMatchObject({ status: 'rejected', reason: expect.any(SyntaxError) });
    expect(reads[2]).toEqual({ status: 'fulfilled', value: undefined });
  });

  it('never makes an app transaction wait on another caller: a key it locks only holds up that key', async () => {
    const cache = new Cache(db.pgq, { namespace: 'locked' });
    const client = await db.pgq.pool.connect();
    try {
      await client.query('begin');
      await cache.set('held', 'in tx', undefined, { tx: client });
      // Coalesced with 'free', the write of 'held' waits on the transaction's row lock. The
      // transaction in turn waits for 'free': with one statement per batch this would hang.
      const blocked = cache.set('held', 'after tx');
      let blockedDone = false;
      void blocked.then(() => {
        blockedDone = true;
      });
      await cache.set('free', 'written');
      expect(await cache.get('free')).toBe('written');
      expect(blockedDone).toBe(false);
      await client.query('commit');
      await blocked;
    } finally {
      client.release();
    }
    expect(await cache.get('held')).toBe('after tx');
  });

  it('runs calls with { tx } alone, in the caller transaction', async () => {
    const { pgq, statements } = countingPgq();
    const cache = new Cache(pgq, { namespace: 'tx' });
    const client = await pgq.pool.connect();
    try {
      await client.query('begin');
      const before = statements();
      await Promise.all([
        cache.set('in-tx', 1, 60, { tx: client }),
        cache.set('outside:1', 1),
        cache.set('outside:2', 2),
      ]);
      // One coalesced statement on the pool; the tx write ran on the caller's client.
      expect(statements() - before).toBe(1);
      await client.query('rollback');
    } finally {
      client.release();
    }
    expect(await cache.getMany(['in-tx', 'outside:1', 'outside:2'])).toEqual(
      new Map([
        ['outside:1', 1],
        ['outside:2', 2],
      ]),
    );
  });

  it('coalesces the eviction after a burst of sets and never trims below maxEntries', async () => {
    const { pgq, statements } = countingPgq();
    const cache = new Cache(pgq, { namespace: 'bounded', maxEntries: 10 });
    const before = statements();
    await Promise.all(Array.from({ length: 50 }, (_, index) => cache.set(`k${index}`, index)));
    // One write and one eviction for the 50 callers.
    expect(statements() - before).toBe(2);
    expect(await cache.stats()).toMatchObject({ entries: 10 });
  });

  it('reports NotInstalledError to every coalesced caller on a schema never migrated', async () => {
    const bare = await createTestDatabase({ migrate: false });
    try {
      const missing = new Cache(bare.pgq);
      const outcomes = await Promise.allSettled([
        missing.get('a'),
        missing.get('b'),
        missing.set('a', 1),
        missing.set('b', 2),
      ]);
      for (const outcome of outcomes) {
        expect(outcome.status === 'rejected' && outcome.reason).toBeInstanceOf(NotInstalledError);
      }
    } finally {
      await bare.dispose();
    }
  });
});
