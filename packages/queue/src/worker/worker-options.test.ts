import { describe, expect, it } from 'vitest';
import { resolveWorkerOptions } from './worker-options.js';

describe('resolveWorkerOptions', () => {
  it('fills every default, the lease from the queue and the batch from the slots', () => {
    expect(resolveWorkerOptions({ prefetch: 500 }, { queueLeaseMs: 30_000, poolMax: 10 })).toEqual({
      concurrency: 10,
      prefetch: 500,
      transactional: false,
      leaseMs: 30_000,
      heartbeatIntervalMs: 10_000,
      pollIntervalMs: 5_000,
      batchSize: 510,
      retry: { baseMs: 1_000, factor: 2, maxMs: 3_600_000, jitter: true },
      rescueIntervalMs: 5_000,
      cleanupIntervalMs: 60_000,
    });
  });

  it('keeps what was given, and a short lease still beats at least every 50 ms', () => {
    const resolved = resolveWorkerOptions(
      { concurrency: 3, leaseMs: 120, batchSize: 7, pollIntervalMs: 10 },
      { queueLeaseMs: 30_000, poolMax: undefined },
    );
    expect(resolved).toMatchObject({
      concurrency: 3,
      leaseMs: 120,
      heartbeatIntervalMs: 50,
      batchSize: 7,
      pollIntervalMs: 10,
    });
  });

  it('sizes a transactional worker to leave two pool connections spare', () => {
    const resolve = (poolMax: number | undefined) =>
      resolveWorkerOptions({ transactional: true }, { queueLeaseMs: 30_000, poolMax }).concurrency;
    expect(resolve(5)).toBe(3);
    expect(resolve(2)).toBe(1);
    expect(resolve(100)).toBe(10);
    expect(resolve(undefined)).toBe(10);
  });
});
