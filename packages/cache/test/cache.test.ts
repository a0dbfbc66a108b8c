import { InvalidNameError, NotInstalledError, ValidationError } from '@pgq/core';
import { createTestDatabase, type TestDatabase } from '@pgq/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Cache, maxKeyBytes } from '../src/index.js';

let db: TestDatabase;
const caches: Cache[] = [];

function cache(options: ConstructorParameters<typeof Cache>[1] = {}, pgq = db.pgq): Cache {
  const made = new Cache(pgq, options);
  caches.push(made);
  return made;
}

async function rowCount(namespace: string): Promise<number> {
  const rows = await db.pgq.query<{ count: number }>(
    `select count(*)::int as count from ${db.pgq.table('cache_entries')} where namespace = $1`,
    [namespace],
  );
  return rows[0]!.count;
}

async function databaseSleep(seconds: number): Promise<void> {
  // The TTL is kept by the database clock, so the test waits on that clock too.
  await db.pgq.query('select pg_sleep($1)', [seconds]);
}

beforeAll(async () => {
  db = await createTestDatabase();
});

afterEach(async () => {
  for (const made of caches.splice(0)) {
    expect(made.running, `cache ${made.namespace} was left running`).toBe(false);
  }
});

afterAll(async () => {
  await db.dispose();
});

describe('Cache', () => {
  it('stores JSON values and returns undefined for a missing key', async () => {
    const profiles = cache({ namespace: 'json' });
    const values: unknown[] = [
      { name: 'Ada', tags: ['a', 'b'], nested: { n: 1.5, ok: true, none: null } },
      'plain string',
      42,
      0,
      false,
      null,
      [1, 'two', { three: 3 }],
      'ünïcødé \u{1F600} "quotes" \\ \u0000 nul',
    ];
    for (const [index, value] of values.entries()) await profiles.set(`k${index}`, value);
    for (const [index, value] of values.entries()) {
      expect(await profiles.get(`k${index}`)).toEqual(value);
    }
    expect(await profiles.get('missing')).toBeUndefined();
    await profiles.set('k0', { replaced: true });
    expect(await profiles.get('k0')).toEqual({ replaced: true });
    expect(await profiles.has('k0')).toBe(true);
    expect(await profiles.has('missing')).toBe(false);
    expect(await profiles.delete('k0')).toBe(true);
    expect(await profiles.delete('k0')).toBe(false);
    expect(await profiles.get('k0')).toBeUndefined();
  });

  it('honours the TTL to the second on the database clock, and ttl() counts down', async () => {
    const shortLived = cache({ namespace: 'ttl' });
    await shortLived.set('session', { user: 1 }, 1);
    await shortLived.set('forever', 'x');
    const [row] = await db.pgq.query<{ lifetime: number }>(
      `select extract(epoch from expires_at - updated_at)::float8 as lifetime
         from ${db.pgq.table('cache_entries')} where namespace = 'ttl' and key = 'session'`,
    );
    expect(row!.lifetime).toBe(1);
    expect(await shortLived.get('session')).toEqual({ user: 1 });
    const first = (await shortLived.ttl('session')) as number;
    expect(first).toBeGreaterThan(0.8);
    expect(first).toBeLessThanOrEqual(1);
    expect(await shortLived.ttl('forever')).toBeNull();
    expect(await shortLived.ttl('missing')).toBeUndefined();

    await databaseSleep(0.5);
    const second = (await shortLived.ttl('session')) as number;
    expect(second).toBeLessThan(first - 0.45);
    expect(second).toBeGreaterThan(0);
    expect(await shortLived.get('session')).toEqual({ user: 1 });

    await databaseSleep(0.6);
    expect(await shortLived.get('session')).toBeUndefined();
    expect(await shortLived.has('session')).toBe(false);
    expect(await shortLived.ttl('session')).toBeUndefined();
    expect(await shortLived.getMany(['session', 'forever'])).toEqual(new Map([['forever', 'x']]));
    expect(await shortLived.delete('session')).toBe(false);
    // Gone to readers, yet still a row until the sweeper runs.
    await shortLived.set('again', 1, 0.01);
    await databaseSleep(0.02);
    expect(await rowCount('ttl')).toBe(2);
    expect(await shortLived.stats()).toMatchObject({ entries: 1, expired: 1 });
  });

  it('keeps namespaces apart: same key, own values, clear() touches one namespace', async () => {
    const left = cache({ namespace: 'left' });
    const right = cache({ namespace: 'right' });
    await left.set('shared', 'L');
    await right.set('shared', 'R');
    await left.set('only-left', 1);
    expect(await left.get('shared')).toBe('L');
    expect(await right.get('shared')).toBe('R');
    expect(await right.get('only-left')).toBeUndefined();
    expect(await left.clear()).toBe(2);
    expect(await left.get('shared')).toBeUndefined();
    expect(await right.get('shared')).toBe('R');
    expect(await right.stats()).toMatchObject({ namespace: 'right', entries: 1, expired: 0 });
  });

  it('round-trips Buffers as bytes, including through getMany and setMany', async () => {
    const blobs = cache({ namespace: 'blobs' });
    const bytes = Buffer.from([0, 1, 2, 255, 254, 0, 10, 13]);
    await blobs.set('raw', bytes);
    const back = await blobs.get<Buffer>('raw');
    expect(Buffer.isBuffer(back)).toBe(true);
    expect(back!.equals(bytes)).toBe(true);
    await blobs.set('typed', new Uint8Array([7, 8, 9]).subarray(1));
    expect((await blobs.get<Buffer>('typed'))!.equals(Buffer.from([8, 9]))).toBe(true);
    await blobs.setMany([
      ['b1', Buffer.from('one')],
      ['j1', { json: true }],
      ['empty', Buffer.alloc(0)],
    ]);
    const many = await blobs.getMany(['b1', 'j1', 'empty', 'raw']);
    expect((many.get('b1') as Buffer).toString()).toBe('one');
    expect(many.get('j1')).toEqual({ json: true });
    expect(Buffer.isBuffer(many.get('empty'))).toBe(true);
    expect((many.get('empty') as Buffer).length).toBe(0);
    expect((many.get('raw') as Buffer).equals(bytes)).toBe(true);
    const [stored] = await db.pgq.query<{ value: string | null }>(
      `select value from ${db.pgq.table('cache_entries')} where namespace = 'blobs' and key = 'raw'`,
    );
    expect(stored!.value).toBeNull();
  });

  it('getMany returns a Map of the live keys; setMany writes in one go, last duplicate wins', async () => {
    const batch = cache({ namespace: 'batch' });
    await batch.setMany(
      new Map<string, unknown>([
        ['a', 1],
        ['b', { two: 2 }],
      ]),
      60,
    );
    await batch.setMany([
      ['c', 'first'],
      ['c', 'last'],
    ]);
    const found = await batch.getMany(['a', 'b', 'c', 'missing', 'a']);
    expect(found).toEqual(
      new Map<string, unknown>([
        ['a', 1],
        ['b', { two: 2 }],
        ['c', 'last'],
      ]),
    );
    expect((await batch.ttl('a'))!).toBeGreaterThan(59);
    expect(await batch.ttl('c')).toBeNull();
    expect(await batch.getMany([])).toEqual(new Map());
    await batch.setMany([]);
    // One bad value: nothing of the batch is written.
    await expect(
      batch.setMany([
        ['ok', 1],
        ['bad', { when: 10n }],
      ]),
    ).rejects.toMatchObject({ code: ValidationError.code, issues: [{ path: ['bad', 'when'] }] });
    expect(await batch.has('ok')).toBe(false);
  });

  it('refuses values JSON cannot hold, and bad keys and TTLs, writing nothing', async () => {
    const strict = cache({ namespace: 'strict' });
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    const bad: unknown[] = [
      undefined,
      () => 1,
      Symbol('s'),
      10n,
      Number.NaN,
      Number.POSITIVE_INFINITY,
      { nested: () => 1 },
      [1, undefined],
      circular,
    ];
    for (const value of bad) {
      await expect(strict.set('key', value)).rejects.toBeInstanceOf(ValidationError);
    }
    await expect(strict.getOrSet('key', 10, () => undefined)).rejects.toBeInstanceOf(
      ValidationError,
    );
    expect(await rowCount('strict')).toBe(0);
    // undefined properties are dropped, as JSON does.
    await strict.set('drops', { kept: 1, dropped: undefined });
    expect(await strict.get('drops')).toEqual({ kept: 1 });

    for (const ttl of [0, -1, Number.NaN, Number.POSITIVE_INFINITY, 1e11]) {
      await expect(strict.set('ttl', 1, ttl)).rejects.toBeInstanceOf(ValidationError);
    }
    await expect(strict.set('x'.repeat(maxKeyBytes + 1), 1)).rejects.toBeInstanceOf(
      ValidationError,
    );
    await expect(strict.set('é'.repeat(maxKeyBytes / 2 + 1), 1)).rejects.toBeInstanceOf(
      ValidationError,
    );
    await expect(strict.get('nul\u0000key')).rejects.toBeInstanceOf(ValidationError);
    await expect(strict.get(42 as unknown as string)).rejects.toBeInstanceOf(ValidationError);
    const longest = 'k'.repeat(maxKeyBytes);
    await strict.set(longest, 'fits');
    expect(await strict.get(longest)).toBe('fits');
    await strict.set('', 'empty key');
    expect(await strict.get('')).toBe('empty key');
    expect(await strict.get("'; drop table x; --")).toBeUndefined();
  });

  it('validates the namespace and options at construction', () => {
    expect(() => new Cache(db.pgq, { namespace: 'bad name' })).toThrow(InvalidNameError);
    expect(() => new Cache(db.pgq, { namespace: '' })).toThrow(InvalidNameError);
    expect(() => new Cache(db.pgq, { namespace: 'a'.repeat(64) })).toThrow(InvalidNameError);
    expect(() => new Cache(db.pgq, { namespace: '"; drop' })).toThrow(InvalidNameError);
    expect(() => new Cache(db.pgq, { maxEntries: 0 })).toThrow(ValidationError);
    expect(() => new Cache(db.pgq, { lockTimeoutMs: 1.5 })).toThrow(ValidationError);
    expect(new Cache(db.pgq).namespace).toBe('default');
  });

  it('joins the caller transaction with { tx }: a rollback leaves nothing', async () => {
    const transactional = cache({ namespace: 'tx' });
    await transactional.set('kept', 1);
    const client = await db.pgq.pool.connect();
    try {
      await client.query('begin');
      await transactional.set('rolled-back', 1, 60, { tx: client });
      await transactional.setMany([['many', 2]], undefined, { tx: client });
      expect(await transactional.delete('kept', { tx: client })).toBe(true);
      await client.query('rollback');
    } finally {
      client.release();
    }
    expect(await transactional.getMany(['kept', 'rolled-back', 'many'])).toEqual(
      new Map([['kept', 1]]),
    );
  });

  it('reports size: entries, expired, payload bytes and table size on disk', async () => {
    const measured = cache({ namespace: 'measured' });
    await measured.set('json', 'abc');
    await measured.set('bytes', Buffer.alloc(10));
    const stats = await measured.stats();
    expect(stats).toMatchObject({
      namespace: 'measured',
      entries: 2,
      expired: 0,
      payloadBytes: 15,
    });
    expect(stats.tableBytes).toBeGreaterThan(8192);
  });

  it('throws NotInstalledError on a schema that was never migrated', async () => {
    const bare = await createTestDatabase({ migrate: false });
    try {
      const missing = new Cache(bare.pgq);
      await expect(missing.get('k')).rejects.toBeInstanceOf(NotInstalledError);
      await expect(missing.set('k', 1)).rejects.toBeInstanceOf(NotInstalledError);
      await expect(missing.getOrSet('k', 1, () => 1)).rejects.toBeInstanceOf(NotInstalledError);
      await expect(missing.stats()).rejects.toBeInstanceOf(NotInstalledError);
      await expect(missing.sweep()).rejects.toBeInstanceOf(NotInstalledError);
    } finally {
      await bare.dispose();
    }
  });
});
