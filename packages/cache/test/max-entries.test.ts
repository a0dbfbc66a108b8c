import { createTestDatabase, type TestDatabase } from '@pgq/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Cache } from '../src/index.js';

let db: TestDatabase;

function cache(options: ConstructorParameters<typeof Cache>[1]): Cache {
  return new Cache(db.pgq, options);
}

async function keys(namespace: string): Promise<string[]> {
  const rows = await db.pgq.query<{ key: string }>(
    `select key from ${db.pgq.table('cache_entries')} where namespace = $1 order by key`,
    [namespace],
  );
  return rows.map((row) => row.key);
}

async function rowCount(namespace: string): Promise<number> {
  return (await keys(namespace)).length;
}

async function databaseSleep(seconds: number): Promise<void> {
  await db.pgq.query('select pg_sleep($1)', [seconds]);
}

beforeAll(async () => {
  db = await createTestDatabase();
});

afterAll(async () => {
  await db.dispose();
});

describe('maxEntries', () => {
  it('evicts the soonest-to-expire, then the oldest, beyond maxEntries', async () => {
    const bounded = cache({ namespace: 'bounded', maxEntries: 3 });
    await bounded.set('a', 'a', 100);
    await bounded.set('b', 'b', 50);
    await bounded.set('c', 'c');
    await bounded.set('d', 'd', 200);
    expect(await keys('bounded')).toEqual(['a', 'c', 'd']);
    await bounded.set('e', 'e');
    expect(await keys('bounded')).toEqual(['c', 'd', 'e']);
    await bounded.set('f', 'f');
    expect(await keys('bounded')).toEqual(['c', 'e', 'f']);
    await bounded.set('g', 'g');
    expect(await keys('bounded')).toEqual(['e', 'f', 'g']);
    // Rewriting a key refreshes it: now 'e' is the newest and 'f' the oldest.
    await bounded.set('e', 'e2');
    await bounded.setMany([['h', 'h']]);
    expect(await keys('bounded')).toEqual(['e', 'g', 'h']);
    // An expired row goes first, before any live entry, even a never-expiring old one.
    await bounded.delete('g');
    await bounded.set('short', 1, 0.01);
    await databaseSleep(0.02);
    await bounded.set('i', 'i');
    expect(await keys('bounded')).toEqual(['e', 'h', 'i']);
    // Another namespace is not counted nor evicted.
    await cache({ namespace: 'unbounded' }).setMany(
      Array.from({ length: 5 }, (_, index) => [`u${index}`, index] as const),
    );
    expect(await rowCount('unbounded')).toBe(5);
  });

  it('holds the bound under concurrent writers', async () => {
    const writers = [db.pgq, db.connect()].map(
      (pgq) => new Cache(pgq, { namespace: 'contended', maxEntries: 20 }),
    );
    await Promise.all(
      Array.from({ length: 200 }, (_, index) =>
        writers[index % 2]!.set(`key-${index}`, index, 60 + index),
      ),
    );
    // One more write settles the races: a trim never deletes beyond the bound, it can only
    // leave a few extra rows while writers race.
    await writers[0]!.set('last', 'last', 10_000);
    const left = await keys('contended');
    expect(left).toHaveLength(20);
    expect(left).toContain('last');
    expect(left).toContain('key-199');
  });
});
