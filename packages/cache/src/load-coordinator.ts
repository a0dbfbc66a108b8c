import { createHash } from 'node:crypto';
import type { PgQueryable, Pgq } from '@pgq/core';
import { watchAbort } from '@pgq/core/internal';
import { LoadLock } from './load-lock.js';
import { Wakeup } from './wakeup.js';

/** The three steps of a cache fill that the coordinator fences. */
export interface LoadSteps<T> {
  /** Reads the cached value; on `client` when given (the lock holder's own connection). */
  read(client?: PgQueryable): Promise<T | undefined>;
  /** Computes the value on a miss. */
  loader(): T | Promise<T>;
  /** Stores the value (on `client` when given) and returns it as the cache will return it. */
  write(value: T, client?: PgQueryable): Promise<T>;
}

/** Options of `LoadCoordinator`. */
export interface LoadCoordinatorOptions {
  namespace: string;
  /** Longest a holder keeps the lock, and a waiter waits for it. */
  lockTimeoutMs: number;
  /** How often a waiter re-checks without a notification (a crashed holder sends none). */
  pollIntervalMs: number;
}

/**
 * Runs a cache fill at most once across every process sharing the database, for one key at
 * a time. See the README's "getOrSet across processes" for the protocol:
 *
 * - The filler takes a transaction-level advisory lock on hash(schema, namespace, key) in a
 *   transaction on one pool connection (`LoadLock`), re-reads the cache, runs the loader,
 *   writes, then commits: the write, the unlock and the NOTIFY land together.
 * - Others hold no connection while they wait: they LISTEN (on the shared listener) and
 *   re-read the cache and retry the lock on each notification, or every `pollIntervalMs`.
 * - The holder gives the lock (and its connection) back after `lockTimeoutMs` even if the
 *   loader hangs; a waiter past `lockTimeoutMs` that still cannot get the lock runs the
 *   loader unfenced. Either way no one waits on a hung or dead loader forever.
 * - A waiter whose `signal` aborts stops waiting and loads nothing; a holder's loader, once
 *   started, runs to the end (its value is cached for everyone).
 */
export class LoadCoordinator {
  readonly #pgq: Pgq;
  readonly #options: LoadCoordinatorOptions;
  readonly #channel: string;

  constructor(pgq: Pgq, options: LoadCoordinatorOptions) {
    this.#pgq = pgq;
    this.#options = options;
    this.#channel = pgq.channel(`cache.${options.namespace}`);
  }

  /** The advisory lock key of a cache key: 64 bits of sha256(schema, namespace, key). */
  lockKeyOf(key: string): string {
    const digest = createHash('sha256')
      .update(`pgq.cache\u0000${this.#pgq.schema}\u0000${this.#options.namespace}\u0000${key}`)
      .digest();
    return digest.readBigInt64BE(0).toString();
  }

  /**
   * Returns the cached value, or fills it once per cluster and returns the filled value.
   * Rejects with `signal.reason` when it aborts before this call holds the lock.
   */
  async load<T>(key: string, steps: LoadSteps<T>, signal?: AbortSignal): Promise<T> {
    signal?.throwIfAborted();
    const lockKey = this.lockKeyOf(key);
    const target = { lockKey, channel: this.#channel };
    const first = await LoadLock.tryTake(this.#pgq, target);
    if (first) return this.#hold(first, steps);

    const deadline = performance.now() + this.#options.lockTimeoutMs;
    const wakeup = new Wakeup();
    const unlisten = await this.#listen(lockKey, wakeup);
    const unwatch = watchAbort(signal, () => wakeup.wake());
    try {
      for (;;) {
        signal?.throwIfAborted();
        // Armed before the read: a notification that lands during it is not lost.
        wakeup.arm();
        const cached = await steps.read();
        if (cached !== undefined) return cached;
        const lock = await LoadLock.tryTake(this.#pgq, target);
        if (lock) return await this.#hold(lock, steps);
        const remaining = deadline - performance.now();
        if (remaining <= 0) {
          // The holder is stuck past the timeout (e.g. its event loop is blocked and it
          // cannot give the lock back): fill unfenced rather than wait forever.
          signal?.throwIfAborted();
          return await steps.write(await steps.loader());
        }
        await wakeup.wait(Math.min(this.#options.pollIntervalMs, remaining));
      }
    } finally {
      unwatch();
      await unlisten();
    }
  }

  async #listen(lockKey: string, wakeup: Wakeup): Promise<() => Promise<void>> {
    try {
      return await this.#pgq.listener.listen(this.#channel, (payload) => {
        if (payload === lockKey) wakeup.wake();
      });
    } catch (error) {
      // Notifications only shorten the wait; polling alone is still correct.
      this.#pgq.logger.warn('pgq cache: LISTEN failed; waiting by polling', {
        error: error instanceof Error ? error.message : String(error),
      });
      return async () => {};
    }
  }

  async #hold<T>(lock: LoadLock, steps: LoadSteps<T>): Promise<T> {
    // A hung loader must not keep the lock (nor this pool connection) past the timeout.
    const timer = setTimeout(() => void lock.release(), this.#options.lockTimeoutMs);
    try {
      // Another process may have filled the key between our miss and our lock.
      const cached = await lock.read((client) => steps.read(client));
      if (cached !== undefined) return cached;
      const value = await steps.loader();
      // On the lock's own connection: holders never wait for a second pool connection, so
      // many keys loading at once cannot exhaust the pool into a deadlock.
      return await steps.write(value, lock.client);
    } finally {
      clearTimeout(timer);
      await lock.release();
    }
  }
}
