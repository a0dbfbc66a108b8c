import { createHash } from 'node:crypto';
import type { PgQueryable, Pgq } from '@pgq/core';
import type pg from 'pg';
import { loadLockRelease } from './sql/load-lock-release.js';
import { loadLockTry } from './sql/load-lock-try.js';
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
 * - The filler holds a session-level advisory lock on hash(schema, namespace, key) on one
 *   pool connection, re-reads the cache, runs the loader, writes, then unlocks and NOTIFYs.
 * - Others hold no connection while they wait: they LISTEN (on the shared listener) and
 *   re-read the cache and retry the lock on each notification, or every `pollIntervalMs`.
 * - The holder gives the lock (and its connection) back after `lockTimeoutMs` even if the
 *   loader hangs; a waiter past `lockTimeoutMs` that still cannot get the lock runs the
 *   loader unfenced. Either way no one waits on a hung or dead loader forever.
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

  /** Returns the cached value, or fills it once per cluster and returns the filled value. */
  async load<T>(key: string, steps: LoadSteps<T>): Promise<T> {
    const lockKey = this.lockKeyOf(key);
    const first = await this.#tryLock(lockKey);
    if (first) return this.#hold(first, lockKey, steps);

    const deadline = performance.now() + this.#options.lockTimeoutMs;
    const wakeup = new Wakeup();
    const unlisten = await this.#listen(lockKey, wakeup);
    try {
      for (;;) {
        // Armed before the read: a notification that lands during it is not lost.
        wakeup.arm();
        const cached = await steps.read();
        if (cached !== undefined) return cached;
        const client = await this.#tryLock(lockKey);
        if (client) return await this.#hold(client, lockKey, steps);
        const remaining = deadline - performance.now();
        if (remaining <= 0) {
          // The holder is stuck past the timeout (e.g. its event loop is blocked and it
          // cannot give the lock back): fill unfenced rather than wait forever.
          return await steps.write(await steps.loader());
        }
        await wakeup.wait(Math.min(this.#options.pollIntervalMs, remaining));
      }
    } finally {
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

  async #tryLock(lockKey: string): Promise<pg.PoolClient | undefined> {
    const client = await this.#pgq.pool.connect();
    try {
      if (await loadLockTry(this.#pgq, client, lockKey)) return client;
      client.release();
      return undefined;
    } catch (error) {
      client.release(error instanceof Error ? error : true);
      throw error;
    }
  }

  async #hold<T>(client: pg.PoolClient, lockKey: string, steps: LoadSteps<T>): Promise<T> {
    // A checked-out pg client has no error listener: if the server drops this idle
    // connection while the loader runs, 'error' would be unhandled and crash the process.
    let broken: Error | undefined;
    const onError = (error: Error): void => {
      broken = error;
    };
    client.on('error', onError);
    let released = false;
    const usable = (): pg.PoolClient | undefined => (released || broken ? undefined : client);
    const release = async (): Promise<void> => {
      if (released) return;
      released = true;
      clearTimeout(timer);
      let failure = broken;
      if (!failure) {
        try {
          await loadLockRelease(this.#pgq, client, lockKey, this.#channel);
        } catch (error) {
          failure = error instanceof Error ? error : new Error(String(error));
        }
      }
      client.removeListener('error', onError);
      // Destroying a broken connection ends its session, which drops the lock all the same;
      // waiters then find the lock free on their next poll.
      client.release(failure ?? false);
      if (failure) {
        this.#pgq.logger.warn('pgq cache: load lock connection failed', {
          error: failure.message,
        });
      }
    };
    // A hung loader must not keep the lock (nor this pool connection) past the timeout.
    const timer = setTimeout(() => void release(), this.#options.lockTimeoutMs);
    try {
      // Another process may have filled the key between our miss and our lock.
      const cached = await steps.read(usable());
      if (cached !== undefined) return cached;
      const value = await steps.loader();
      // On the lock's own connection: holders never wait for a second pool connection, so
      // many keys loading at once cannot exhaust the pool into a deadlock.
      return await steps.write(value, usable());
    } finally {
      await release();
    }
  }
}
