import { EventEmitter } from 'node:events';
import type { PgQueryable, Pgq, TxOptions } from '@pgq/core';
import { assertSignal, reportError, Sweeper } from '@pgq/core/internal';
import { assertKey } from './cache-key.js';
import {
  type CacheOptions,
  type GetOrSetOptions,
  type ResolvedCacheOptions,
  resolveCacheOptions,
} from './cache-options.js';
import { EntryStore } from './entry-store.js';
import { LoadCoordinator } from './load-coordinator.js';
import { SingleFlight } from './single-flight.js';
import { entriesClear } from './sql/entries-clear.js';
import { entriesGetMany } from './sql/entries-get-many.js';
import { entriesSetMany } from './sql/entries-set-many.js';
import { entriesStats } from './sql/entries-stats.js';
import { entriesSweep } from './sql/entries-sweep.js';
import { entryDelete } from './sql/entry-delete.js';
import { entryHas } from './sql/entry-has.js';
import { entryTtl } from './sql/entry-ttl.js';
import { assertTtlSeconds } from './ttl-seconds.js';
import { decodeValue, encodeValue } from './value-encoding.js';

/**
 * What `cache.stats()` returns.
 *
 * @example
 * ```ts
 * const { entries, expired, tableBytes } = await cache.stats();
 * ```
 */
export interface CacheStats {
  namespace: string;
  /** Live entries of this namespace. */
  entries: number;
  /** Entries of this namespace past their expiry that the sweeper has not deleted yet. */
  expired: number;
  /** Stored size of this namespace's values (JSON text and bytes), before compression. */
  payloadBytes: number;
  /** Size on disk of the whole cache table (every namespace), indexes and TOAST included. */
  tableBytes: number;
}

/**
 * Events of a `Cache`.
 *
 * @example
 * ```ts
 * cache.on('swept', (count) => metrics.count('cache.swept', count));
 * cache.on('error', (error) => logger.warn(error.message));
 * ```
 */
export interface CacheEvents {
  /** A background sweep finished, having deleted `count` expired rows. */
  swept: [count: number];
  /** A background sweep failed; the sweeper carries on. Logged when nobody listens. */
  error: [Error];
}

/**
 * A key-value cache with per-entry TTLs, on an UNLOGGED PostgreSQL table: fast, but emptied
 * by a crash and not replicated to standbys. Values are JSON, or bytes for a `Buffer`.
 * Expired entries are never returned; `start()` runs a background sweeper that deletes them.
 *
 * @example
 * ```ts
 * import { connect } from '@pgq/core';
 * import { Cache } from '@pgq/cache';
 *
 * const pgq = connect();
 * const cache = new Cache(pgq, { namespace: 'profiles' });
 * await cache.start(); // sweeps expired rows in the background
 * await cache.set('user:42', { name: 'Ada' }, 300);
 * const profile = await cache.getOrSet('user:43', 300, () => fetchProfile(43));
 * await cache.stop();
 * await pgq.close();
 * ```
 */
export class Cache extends EventEmitter<CacheEvents> {
  readonly #pgq: Pgq;
  readonly #options: ResolvedCacheOptions;
  readonly #flights = new SingleFlight();
  readonly #entries: EntryStore;
  readonly #coordinator: LoadCoordinator;
  readonly #sweeper: Sweeper;

  constructor(pgq: Pgq, options: CacheOptions = {}) {
    super();
    this.#pgq = pgq;
    this.#options = resolveCacheOptions(options, pgq.maxValueBytes);
    this.#entries = new EntryStore(pgq, {
      namespace: this.#options.namespace,
      maxEntries: this.#options.maxEntries,
    });
    this.#coordinator = new LoadCoordinator(pgq, {
      namespace: this.#options.namespace,
      lockTimeoutMs: this.#options.lockTimeoutMs,
      pollIntervalMs: this.#options.lockPollIntervalMs,
    });
    this.#sweeper = new Sweeper(pgq, {
      deleteBatch: (limit) => entriesSweep(pgq, limit),
      intervalMs: this.#options.sweepIntervalMs,
      batchSize: this.#options.sweepBatchSize,
      onSwept: (count) => this.emit('swept', count),
      onError: (error) => reportError(this, pgq.logger, 'pgq cache sweep failed', error),
    });
  }

  /** This cache's namespace. */
  get namespace(): string {
    return this.#options.namespace;
  }

  /** True while the background sweeper runs. */
  get running(): boolean {
    return this.#sweeper.running;
  }

  /**
   * The value of `key`, or `undefined` when it is missing or expired. Concurrent `get`s made in
   * the same turn of the event loop are read in one statement; each caller still gets its own
   * value (its own object or `Buffer`) or its own error.
   */
  async get<T = unknown>(key: string): Promise<T | undefined> {
    return this.#read<T>(assertKey(key));
  }

  /**
   * Stores `value` under `key`, replacing any previous value. `ttlSeconds` counts on the
   * database clock; omitted, the entry never expires. A value that is not JSON (nor a
   * `Buffer`) throws `ValidationError`, and one over `maxValueBytes` `PayloadTooLargeError`;
   * then nothing is written.
   *
   * Without `tx`, concurrent `set`s made in the same turn of the event loop are written in one
   * statement (the last call wins for a key set twice) and resolve once it has committed; if
   * that statement fails, each call is retried alone, so one caller's failure is never
   * another's. With `tx`, the write runs alone in that transaction.
   */
  async set(
    key: string,
    value: unknown,
    ttlSeconds?: number,
    options: TxOptions = {},
  ): Promise<void> {
    assertKey(key);
    await this.#entries.set(
      key,
      encodeValue(value, this.#options.maxValueBytes),
      assertTtlSeconds(ttlSeconds),
      options.tx,
    );
  }

  /**
   * The value of `key`; on a miss, calls `loader`, stores what it returns for `ttlSeconds`
   * (`undefined`: no expiry) and returns it. Concurrent misses of one key call the loader
   * once in this process and, through an advisory lock, once across processes. A loader
   * that throws caches nothing; its error reaches every caller in this process waiting on
   * it (callers in other processes then try their own loader). No caller waits longer than
   * `lockTimeoutMs` on someone else's loader, nor past its `signal`'s abort (see
   * `GetOrSetOptions`). The result is always the value as stored (a JSON round trip, or a
   * `Buffer`), so a miss returns what a later hit would.
   *
   * @example
   * ```ts
   * const profile = await cache.getOrSet(`user:${id}`, 300, () => db.loadProfile(id));
   * const quick = await cache.getOrSet(key, 300, load, { signal: AbortSignal.timeout(2_000) });
   * ```
   */
  async getOrSet<T>(
    key: string,
    ttlSeconds: number | undefined,
    loader: () => T | Promise<T>,
    options: GetOrSetOptions = {},
  ): Promise<T> {
    assertKey(key);
    const ttl = assertTtlSeconds(ttlSeconds);
    const signal = assertSignal(options.signal);
    const fill = async (flightSignal: AbortSignal): Promise<T> => {
      const cached = await this.#read<T>(key);
      if (cached !== undefined) return cached;
      const steps = {
        read: (client?: PgQueryable) => this.#read<T>(key, client),
        loader,
        write: async (value: T, client?: PgQueryable) => {
          const stored = encodeValue(value, this.#options.maxValueBytes);
          await this.#entries.set(key, stored, ttl, client);
          // What a later hit would return (a JSON round trip), so a miss and a hit look alike.
          return decodeValue<T>(stored);
        },
      };
      return this.#coordinator.load<T>(key, steps, flightSignal);
    };
    return this.#flights.run(key, this.#options.lockTimeoutMs, fill, signal);
  }

  /** Deletes `key`; true when a live entry was there. */
  async delete(key: string, options: TxOptions = {}): Promise<boolean> {
    return entryDelete(this.#pgq, this.namespace, assertKey(key), options.tx);
  }

  /** True when `key` has a live (unexpired) entry. */
  async has(key: string): Promise<boolean> {
    return entryHas(this.#pgq, this.namespace, assertKey(key));
  }

  /** The remaining TTL of `key` in seconds (fractional), `null` if it never expires, `undefined` if missing. */
  async ttl(key: string): Promise<number | null | undefined> {
    const row = await entryTtl(this.#pgq, this.namespace, assertKey(key));
    return row === undefined ? undefined : row.seconds;
  }

  /**
   * The live entries among `keys`, in one statement, as a `Map` from key to value. Missing
   * and expired keys are absent from the map.
   */
  async getMany<T = unknown>(keys: Iterable<string>): Promise<Map<string, T>> {
    const unique = [...new Set(Array.from(keys, assertKey))];
    const found = new Map<string, T>();
    if (unique.length === 0) return found;
    for (const row of await entriesGetMany(this.#pgq, this.namespace, unique)) {
      found.set(row.key, decodeValue<T>(row));
    }
    return found;
  }

  /**
   * Stores every `[key, value]` pair (an array of pairs, a `Map`, `Object.entries(...)`) in
   * one statement, all with the same `ttlSeconds`. A repeated key keeps its last value. If
   * any value is not JSON, `ValidationError` names its key, and if any is over
   * `maxValueBytes`, `PayloadTooLargeError` does; either way nothing is written.
   */
  async setMany(
    entries: Iterable<readonly [string, unknown]>,
    ttlSeconds?: number,
    options: TxOptions = {},
  ): Promise<void> {
    const ttl = assertTtlSeconds(ttlSeconds);
    const byKey = new Map<string, unknown>();
    for (const [key, value] of entries) byKey.set(assertKey(key), value);
    if (byKey.size === 0) return;
    // Sorted so concurrent batches lock shared keys in one order and cannot deadlock.
    const rows = [...byKey.keys()]
      .sort()
      .map((key) => ({ key, ...encodeValue(byKey.get(key), this.#options.maxValueBytes, [key]) }));
    await entriesSetMany(this.#pgq, this.namespace, rows, ttl, options.tx);
    await this.#entries.evict(options.tx);
  }

  /** Deletes every entry of this namespace (other namespaces are untouched); returns how many rows went. */
  async clear(options: TxOptions = {}): Promise<number> {
    return entriesClear(this.#pgq, this.namespace, options.tx);
  }

  /** Counts this namespace's entries and measures the table. */
  async stats(): Promise<CacheStats> {
    const row = await entriesStats(this.#pgq, this.namespace);
    return {
      namespace: this.namespace,
      entries: row.entries,
      expired: row.expired,
      payloadBytes: row.payload_bytes,
      tableBytes: row.table_bytes,
    };
  }

  /**
   * Starts the background sweeper: a sweep now, then one every `sweepIntervalMs`. It deletes
   * expired rows of every namespace in the schema, so one running cache per process is
   * enough. Its timer never keeps the process alive. Idempotent.
   */
  async start(): Promise<void> {
    this.#sweeper.start();
  }

  /** Stops the sweeper and waits for a sweep in progress to end. Idempotent. */
  async stop(): Promise<void> {
    await this.#sweeper.stop();
  }

  /**
   * `stop()`, for `await using`: the sweeper stops as the block exits. Leaves `pgq` open.
   *
   * @example
   * ```ts
   * await using cache = new Cache(pgq);
   * await cache.start();
   * ```
   */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }

  /** Deletes expired rows now (every namespace), in batches; returns how many went. */
  async sweep(): Promise<number> {
    return this.#sweeper.sweep();
  }

  async #read<T>(key: string, client?: PgQueryable): Promise<T | undefined> {
    const stored = await this.#entries.get(key, client);
    return stored === undefined ? undefined : decodeValue<T>(stored);
  }
}
