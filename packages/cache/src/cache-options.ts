import { assertName, ValidationError } from '@pgq/core';
import { valueSizeLimit } from '@pgq/core/internal';

/**
 * Options of `new Cache(pgq, options)`; every field has a default.
 *
 * @example
 * ```ts
 * const sessions = new Cache(pgq, { namespace: 'sessions', maxEntries: 100_000, lockTimeoutMs: 5_000 });
 * ```
 */
export interface CacheOptions {
  /** Keeps this cache's keys apart from other caches' in the same table. Default `'default'`. */
  namespace?: string;
  /** Pause between sweeps of expired rows, once `start()` was called. Default 60 000 ms. */
  sweepIntervalMs?: number;
  /** Most rows one sweep DELETE removes (a sweep repeats until a batch comes back short). Default 1000. */
  sweepBatchSize?: number;
  /**
   * Most entries this namespace keeps: after each write, the soonest-to-expire (then the
   * oldest) entries beyond it are deleted. Costs one extra statement per write that reads
   * about `maxEntries` index entries. Default: unbounded.
   */
  maxEntries?: number;
  /**
   * Longest a `getOrSet` loader is waited for: the holder of a key's lock gives it up after
   * this, and waiters then fill the key themselves. Set it above your slowest loader.
   * Default 10 000 ms.
   */
  lockTimeoutMs?: number;
  /**
   * How often a `getOrSet` waiter re-checks when no notification came (a holder whose
   * process died sends none). Default 250 ms.
   */
  lockPollIntervalMs?: number;
  /**
   * Largest value this cache stores: the UTF-8 bytes of its JSON text, or the length of a
   * `Buffer`. A larger one throws `PayloadTooLargeError` and nothing is written (`getOrSet`
   * then caches nothing and throws it too). At most 268,435,455. Default: the connection's
   * `maxValueBytes` (`connect()`, 1 MiB unless set there).
   */
  maxValueBytes?: number;
}

/**
 * Options of `Cache.getOrSet`.
 *
 * @example
 * ```ts
 * const profile = await cache.getOrSet(key, 300, load, { signal: request.signal });
 * ```
 */
export interface GetOrSetOptions {
  /**
   * Aborting it rejects this call with the signal's reason at once. A loader already running
   * (this process's or another's) carries on and its value is still cached; a wait for another
   * process's loader stops once no caller in this process waits for it, and loads nothing.
   * Already aborted: rejects before reading anything. Default: none.
   */
  signal?: AbortSignal;
}

/** `CacheOptions` with every default filled in. */
export interface ResolvedCacheOptions {
  namespace: string;
  sweepIntervalMs: number;
  sweepBatchSize: number;
  maxEntries: number | undefined;
  lockTimeoutMs: number;
  lockPollIntervalMs: number;
  maxValueBytes: number;
}

/**
 * Validates `options` (a bad namespace throws `InvalidNameError`, a bad number
 * `ValidationError`); `maxValueBytes` defaults to `connectionMaxValueBytes`.
 */
export function resolveCacheOptions(
  options: CacheOptions,
  connectionMaxValueBytes: number,
): ResolvedCacheOptions {
  return {
    namespace: assertName('namespace', options.namespace ?? 'default'),
    sweepIntervalMs: positiveInteger('sweepIntervalMs', options.sweepIntervalMs, 60_000),
    sweepBatchSize: positiveInteger('sweepBatchSize', options.sweepBatchSize, 1000),
    maxEntries:
      options.maxEntries === undefined
        ? undefined
        : positiveInteger('maxEntries', options.maxEntries, 0),
    lockTimeoutMs: positiveInteger('lockTimeoutMs', options.lockTimeoutMs, 10_000),
    lockPollIntervalMs: positiveInteger('lockPollIntervalMs', options.lockPollIntervalMs, 250),
    maxValueBytes: valueSizeLimit('maxValueBytes', options.maxValueBytes, connectionMaxValueBytes),
  };
}

function positiveInteger(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value <= 0) {
    throw new ValidationError('Invalid cache options', [
      { path: [name], message: 'must be a positive integer' },
    ]);
  }
  return value;
}
