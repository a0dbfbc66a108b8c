import type { Pgq } from '@pgq/core';
import { createTestDatabase, type TestDatabase } from '@pgq/testing';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Cache } from '../src/index.js';

let db: TestDatabase;
let other: Pgq;

beforeAll(async () => {
  db = await createTestDatabase();
  other = db.connect();
});

afterAll(async () => {
  await db.dispose();
});

function deferred<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((done) => {
    resolve = done;
  });
  return { promise, resolve };
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function expectNoCheckedOutClients(pgq: Pgq): void {
  expect(pgq.pool.totalCount - pgq.pool.idleCount).toBe(0);
  expect(pgq.pool.waitingCount).toBe(0);
}

async function lockHolderPids(): Promise<number[]> {
  const rows = await db.pgq.query<{ pid: number }>(
    `select pid from pg_locks where locktype = 'advisory' and granted and database =
       (select oid from pg_database where datname = current_database())`,
  );
  return rows.map((row) => row.pid);
}

describe('getOrSet', () => {
  it('returns a cached value without calling the loader, and fills a miss with its TTL', async () => {
    const cache = new Cache(db.pgq, { namespace: 'basic' });
    await cache.set('hit', 'cached');
    let calls = 0;
    expect(await cache.getOrSet('hit', 60, () => ++calls)).toBe('cached');
    expect(await cache.getOrSet('miss', 60, async () => ({ calls: ++calls }))).toEqual({
      calls: 1,
    });
    expect(await cache.get('miss')).toEqual({ calls: 1 });
    expect((await cache.ttl('miss'))!).toBeGreaterThan(59);
    expect(await cache.getOrSet('forever', undefined, () => 'x')).toBe('x');
    // A miss returns what a hit would: the JSON round trip of the loader's value.
    const when = new Date('2025-01-02T03:04:05.000Z');
    expect(await cache.getOrSet('date', 60, () => ({ when }))).toEqual({
      when: when.toISOString(),
    });
    expect(await cache.get('date')).toEqual({ when: when.toISOString() });
    expect(await cache.ttl('forever')).toBeNull();
    expect(calls).toBe(1);
  });

  it('calls the loader once for 40 concurrent misses across 2 pools; all 40 get the value', async () => {
    const first = new Cache(db.pgq, { namespace: 'stampede' });
    const second = new Cache(other, { namespace: 'stampede' });
    let calls = 0;
    const loader = async () => {
      calls++;
      await delay(200); // the expensive work the cache saves
      return { answer: 42, call: calls };
    };
    const results = await Promise.all(
      Array.from({ length: 40 }, (_, index) =>
        (index % 2 === 0 ? first : second).getOrSet('hot-key', 60, loader),
      ),
    );
    expect(calls).toBe(1);
    expect(results).toHaveLength(40);
    for (const result of results) expect(result).toEqual({ answer: 42, call: 1 });
    expect(await second.get('hot-key')).toEqual({ answer: 42, call: 1 });
    expectNoCheckedOutClients(db.pgq);
    expectNoCheckedOutClients(other);
    expect(await lockHolderPids()).toEqual([]);
  });

  it('does not exhaust a small pool when many keys load at once', async () => {
    const small = db.connect({ max: 2 });
    const cache = new Cache(small, { namespace: 'small-pool' });
    const loaded = new Set<string>();
    const values = await Promise.all(
      Array.from({ length: 12 }, (_, index) =>
        cache.getOrSet(`key-${index % 6}`, 60, async () => {
          loaded.add(`key-${index % 6}`);
          await delay(20);
          return index % 6;
        }),
      ),
    );
    expect(values).toEqual([0, 1, 2, 3, 4, 5, 0, 1, 2, 3, 4, 5]);
    expect(loaded.size).toBe(6);
    expectNoCheckedOutClients(small);
  });

  it('lets other callers through after lockTimeoutMs when a loader hangs', async () => {
    const options = { namespace: 'hung', lockTimeoutMs: 500 };
    const stuck = new Cache(db.pgq, options);
    const waiting = new Cache(other, options);
    const gate = deferred<string>();
    const started = deferred();
    const hung = stuck.getOrSet('slow', 60, () => {
      started.resolve();
      return gate.promise;
    });
    await started.promise;
    const startedAt = performance.now();
    const results = await Promise.all(
      Array.from({ length: 5 }, () => waiting.getOrSet('slow', 60, () => 'from the waiter')),
    );
    const waitedMs = performance.now() - startedAt;
    expect(results).toEqual(Array(5).fill('from the waiter'));
    expect(waitedMs).toBeGreaterThan(300);
    expect(waitedMs).toBeLessThan(3_000);
    // The stuck holder gave its pool connection back at the timeout.
    gate.resolve('from the stuck loader');
    expect(['from the stuck loader', 'from the waiter']).toContain(await hung);
    // The abandoned first flight still writes its late value; then every client is back.
    await vi.waitFor(() => expectNoCheckedOutClients(db.pgq));
    await vi.waitFor(() => expectNoCheckedOutClients(other));
  });

  it('recovers at once when the holder connection dies, without waiting for the timeout', async () => {
    const options = { namespace: 'crashed', lockTimeoutMs: 20_000, lockPollIntervalMs: 50 };
    const doomed = new Cache(db.pgq, options);
    const survivor = new Cache(other, options);
    const gate = deferred<string>();
    const started = deferred();
    const doomedCall = doomed.getOrSet('key', 60, () => {
      started.resolve();
      return gate.promise;
    });
    await started.promise;
    const survivorCall = survivor.getOrSet('key', 60, () => 'survivor');
    // The holder's session dies as it would when its process crashes.
    const [holder] = await lockHolderPids();
    expect(holder).toBeDefined();
    const startedAt = performance.now();
    await db.pgq.query('select pg_terminate_backend($1)', [holder]);
    expect(await survivorCall).toBe('survivor');
    expect(performance.now() - startedAt).toBeLessThan(5_000);
    gate.resolve('late');
    expect(await doomedCall).toBe('late');
    expectNoCheckedOutClients(db.pgq);
  });

  it('holds only its advisory lock while the loader runs: no snapshot, no xid, no table lock', async () => {
    const cache = new Cache(db.pgq, { namespace: 'idle-holder' });
    const gate = deferred<string>();
    const started = deferred();
    const call = cache.getOrSet('key', 60, () => {
      started.resolve();
      return gate.promise;
    });
    await started.promise;
    const [holder] = await lockHolderPids();
    // A snapshot or an xid would hold back VACUUM; a lock on the cache table would make DDL
    // (and every cache statement queued behind it) wait for the loader.
    expect(
      await other.query(
        'select state, backend_xmin, backend_xid from pg_stat_activity where pid = $1',
        [holder],
      ),
    ).toEqual([{ state: 'idle in transaction', backend_xmin: null, backend_xid: null }]);
    expect(
      await other.query(
        `select locktype, mode from pg_locks where pid = $1 and locktype <> 'virtualxid'`,
        [holder],
      ),
    ).toEqual([{ locktype: 'advisory', mode: 'ExclusiveLock' }]);
    gate.resolve('loaded');
    expect(await call).toBe('loaded');
    expect(await cache.get('key')).toBe('loaded');
    expect(await lockHolderPids()).toEqual([]);
    expectNoCheckedOutClients(db.pgq);
  });

  it("counts a fill's TTL from its write, not from the lock taken before a slow loader", async () => {
    const cache = new Cache(db.pgq, { namespace: 'slow-ttl' });
    await cache.getOrSet('key', 60, async () => {
      await delay(1_500);
      return 'slow';
    });
    // Counted from the lock's transaction, 1.5 s of the 60 would be gone already.
    expect((await cache.ttl('key'))!).toBeGreaterThan(59.3);
  });

  it('caches nothing when the loader throws; every waiter in the process gets the error', async () => {
    const cache = new Cache(db.pgq, { namespace: 'throws' });
    let calls = 0;
    const failure = new Error('backend down');
    const outcomes = await Promise.allSettled(
      Array.from({ length: 20 }, () =>
        cache.getOrSet('key', 60, async () => {
          calls++;
          await delay(50);
          throw failure;
        }),
      ),
    );
    expect(calls).toBe(1);
    for (const outcome of outcomes)
      expect(outcome).toEqual({ status: 'rejected', reason: failure });
    expect(await cache.has('key')).toBe(false);
    // The next call tries again.
    expect(await cache.getOrSet('key', 60, () => 'recovered')).toBe('recovered');
  });

  it('lets waiters in another process run their own loader after the holder throws', async () => {
    // Waiters that would not poll before the test times out: only the holder's notification
    // (sent although its loader failed) can wake them.
    const options = {
      namespace: 'throws-across',
      lockTimeoutMs: 60_000,
      lockPollIntervalMs: 60_000,
    };
    const failing = new Cache(db.pgq, options);
    const healthy = new Cache(other, options);
    const gate = deferred();
    const started = deferred();
    const failed = failing.getOrSet('key', 60, async () => {
      started.resolve();
      await gate.promise;
      throw new Error('loader failed');
    });
    await started.promise;
    let healthyCalls = 0;
    const waiters = Array.from({ length: 10 }, () =>
      healthy.getOrSet('key', 60, () => {
        healthyCalls++;
        return 'healthy';
      }),
    );
    // The other process is waiting on the lock (it LISTENs only once it failed to get it).
    await vi.waitFor(() =>
      expect(other.listener.channels).toEqual([`${db.schema}.cache.throws-across`]),
    );
    const failedAt = performance.now();
    gate.resolve();
    await expect(failed).rejects.toThrow('loader failed');
    expect(await Promise.all(waiters)).toEqual(Array(10).fill('healthy'));
    expect(performance.now() - failedAt).toBeLessThan(3_000);
    expect(healthyCalls).toBe(1);
    expect(await failing.get('key')).toBe('healthy');
  });
});
