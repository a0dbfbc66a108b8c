import type { Executor, Pgq } from '@pgq/core';
import { Coalescer } from './coalescer.js';
import { entriesEvict } from './sql/entries-evict.js';
import { entriesGetMany } from './sql/entries-get-many.js';
import { type BatchEntry, entriesSetBatch } from './sql/entries-set-batch.js';
import { entryGet } from './sql/entry-get.js';
import { entrySet } from './sql/entry-set.js';
import type { StoredValue } from './value-encoding.js';

/** Options of `EntryStore`. */
export interface EntryStoreOptions {
  namespace: string;
  /** Most entries of the namespace; `undefined`: no eviction. */
  maxEntries: number | undefined;
}

/**
 * Most calls one coalesced statement carries: plenty to absorb any realistic burst in one
 * round trip, small enough that one statement's arrays stay a few hundred kilobytes.
 */
const maxBatchSize = 500;

/**
 * Longest a coalesced write waits on a row lock before its callers fall back to one statement
 * each (see `entriesSetBatch`). Our own batches hold row locks for one short statement, so
 * this is only reached behind an app transaction (or a deadlock), well before PostgreSQL's
 * 1 s `deadlock_timeout`.
 */
const batchLockTimeoutMs = 50;

/**
 * The reads and writes of one namespace's entries. On the pool, concurrent `get`s and `set`s
 * made in the same turn of the event loop are coalesced into one statement each (and the
 * evictions that follow them into one), then every caller gets its own result or its own
 * error; a write with a caller's `tx` (or on a lock holder's connection) runs alone on it,
 * as before.
 *
 * @example
 * ```ts
 * const store = new EntryStore(pgq, { namespace: 'profiles', maxEntries: undefined });
 * await Promise.all([store.set('a', encodeValue(1, 1024), 60), store.set('b', encodeValue(2, 1024), 60)]); // one statement
 * const stored = await store.get('a'); // { value: '1', bytes: null }
 * ```
 */
export class EntryStore {
  readonly #pgq: Pgq;
  readonly #options: EntryStoreOptions;
  readonly #reads: Coalescer<string, StoredValue | undefined>;
  readonly #writes: Coalescer<BatchEntry, undefined>;
  readonly #evictions: Coalescer<void, number>;

  constructor(pgq: Pgq, options: EntryStoreOptions) {
    this.#pgq = pgq;
    this.#options = options;
    const { namespace } = options;
    this.#reads = new Coalescer({
      maxBatchSize,
      runBatch: (keys) => this.#readBatch(keys),
      runOne: (key) => entryGet(pgq, namespace, key),
    });
    this.#writes = new Coalescer({
      maxBatchSize,
      runBatch: (entries) => this.#writeBatch(entries),
      runOne: async (entry) => {
        await entrySet(pgq, namespace, entry.key, entry, entry.ttlSeconds ?? undefined);
        return undefined;
      },
      orderKeyOf: (entry) => entry.key,
    });
    this.#evictions = new Coalescer({
      maxBatchSize: Number.POSITIVE_INFINITY,
      runBatch: async (requests) => {
        const evicted = await entriesEvict(pgq, namespace, options.maxEntries as number);
        return requests.map(() => evicted);
      },
    });
  }

  /** The stored value of a live entry; on `client` when given (a lock holder's connection), else coalesced. */
  async get(key: string, client?: Executor): Promise<StoredValue | undefined> {
    if (client) return entryGet(this.#pgq, this.#options.namespace, key, client);
    return this.#reads.add(key);
  }

  /**
   * Writes one entry, then trims the namespace to `maxEntries` (when set). With `tx` both run
   * on it, alone; otherwise both are coalesced with other callers'.
   */
  async set(
    key: string,
    stored: StoredValue,
    ttlSeconds: number | undefined,
    tx?: Executor,
  ): Promise<void> {
    if (tx) {
      await entrySet(this.#pgq, this.#options.namespace, key, stored, ttlSeconds, tx);
    } else {
      await this.#writes.add({
        key,
        value: stored.value,
        bytes: stored.bytes,
        ttlSeconds: ttlSeconds ?? null,
      });
    }
    await this.evict(tx);
  }

  /** Trims the namespace to `maxEntries` (nothing when unbounded); coalesced unless `tx` is given. */
  async evict(tx?: Executor): Promise<void> {
    const { maxEntries, namespace } = this.#options;
    if (maxEntries === undefined) return;
    // One eviction that starts after every waiting caller's write committed trims for all.
    if (tx) await entriesEvict(this.#pgq, namespace, maxEntries, tx);
    else await this.#evictions.add();
  }

  async #readBatch(keys: readonly string[]): Promise<Array<StoredValue | undefined>> {
    const rows = await entriesGetMany(this.#pgq, this.#options.namespace, [...new Set(keys)]);
    const byKey = new Map<string, StoredValue>();
    for (const row of rows) byKey.set(row.key, row);
    const handed = new Set<StoredValue>();
    return keys.map((key) => {
      const row = byKey.get(key);
      if (row === undefined || row.bytes === null) return row;
      // A Buffer is mutable: each caller of a repeated key gets its own copy, as its own
      // statement would have given it. (JSON is parsed per caller anyway.)
      if (handed.has(row)) return { value: null, bytes: Buffer.from(row.bytes) };
      handed.add(row);
      return row;
    });
  }

  async #writeBatch(entries: readonly BatchEntry[]): Promise<undefined[]> {
    // Last write wins for a key set twice in one batch, as if the calls ran in order.
    const byKey = new Map<string, BatchEntry>();
    for (const entry of entries) byKey.set(entry.key, entry);
    // Sorted so concurrent batches (and setMany) lock shared rows in one order.
    const rows = [...byKey.values()].sort(compareKeys);
    await entriesSetBatch(this.#pgq, this.#options.namespace, rows, batchLockTimeoutMs);
    return entries.map(() => undefined);
  }
}

function compareKeys(left: BatchEntry, right: BatchEntry): number {
  return left.key < right.key ? -1 : left.key > right.key ? 1 : 0;
}
