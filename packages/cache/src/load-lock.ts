import type { PgQueryable, Pgq } from '@pgq/core';
import type pg from 'pg';
import { loadLockNotify } from './sql/load-lock-notify.js';
import { loadLockTry } from './sql/load-lock-try.js';

/** Where a `LoadLock` notifies its waiters. */
export interface LoadLockTarget {
  /** The advisory lock key (a bigint as text). */
  lockKey: string;
  /** The NOTIFY channel the waiters listen on. */
  channel: string;
}

/**
 * One key's loader lock: a transaction-level advisory lock held by a transaction of its own,
 * on one checked-out pool client. Every statement of the fill runs in that transaction, so
 * behind a transaction-mode pooler they all reach one server session, and whatever ends the
 * transaction (commit, rollback, a dropped connection) releases the lock: it cannot leak.
 *
 * While the loader runs, the transaction is idle and holds the advisory lock and nothing
 * else: no snapshot and no transaction id (READ COMMITTED drops each statement's snapshot
 * when it ends, and only the final write takes an id), so it holds back no VACUUM; and no
 * lock on the cache table (see `read`).
 *
 * @example
 * ```ts
 * const lock = await LoadLock.tryTake(pgq, { lockKey, channel });
 * if (lock) {
 *   try {
 *     const cached = await lock.read((client) => readEntry(client));
 *     if (cached === undefined) await writeEntry(await loader(), lock.client);
 *   } finally {
 *     await lock.release(); // commits: unlocks, then wakes the waiters
 *   }
 * }
 * ```
 */
export class LoadLock {
  readonly #pgq: Pgq;
  readonly #client: pg.PoolClient;
  readonly #target: LoadLockTarget;
  readonly #tracked: PgQueryable;
  #broken: Error | undefined;
  #aborted = false;
  #ended = false;

  // A checked-out pg client has no error listener: if the server drops the connection while
  // it is out (the loader runs, or a statement is under way), 'error' would be unhandled and
  // crash the process. The statement under way fails and says why; the rest go to the pool.
  readonly #onError = (error: Error): void => {
    this.#broken = error;
  };

  private constructor(pgq: Pgq, client: pg.PoolClient, target: LoadLockTarget) {
    this.#pgq = pgq;
    this.#client = client;
    this.#target = target;
    this.#tracked = { query: (text, values) => this.#query(text, values) };
    client.on('error', this.#onError);
  }

  /** Begins a transaction and takes the lock in it; `undefined` (client given back) when it is taken. */
  static async tryTake(pgq: Pgq, target: LoadLockTarget): Promise<LoadLock | undefined> {
    const lock = new LoadLock(pgq, await pgq.pool.connect(), target);
    let locked = false;
    try {
      await lock.#query('begin');
      locked = await loadLockTry(pgq, lock.#tracked, target.lockKey);
    } finally {
      if (!locked) await lock.#end(false);
    }
    return locked ? lock : undefined;
  }

  /**
   * The lock's connection, for the fill's statements; `undefined` once the lock was given
   * back (a hung loader's timeout) or its connection broke: then use the pool.
   */
  get client(): PgQueryable | undefined {
    return this.#ended || this.#broken ? undefined : this.#tracked;
  }

  /**
   * Runs `read` on the lock's connection in a savepoint rolled back afterwards. The lock the
   * read takes on the cache table goes with the savepoint rather than staying until commit:
   * held through a slow loader, it would make DDL on the table (a migration) wait, and every
   * cache statement queue behind that DDL.
   */
  async read<T>(read: (client: PgQueryable | undefined) => Promise<T>): Promise<T> {
    if (!this.client) return read(undefined);
    await this.#query('savepoint pgq_cache_read');
    try {
      return await read(this.client);
    } finally {
      if (this.client) await this.#query('rollback to savepoint pgq_cache_read');
    }
  }

  /**
   * Ends the transaction, which releases the lock, and gives the client back. A healthy
   * transaction commits, with the waiters' notification (the write, the unlock and then the
   * wake-up land together); one that a failed statement aborted rolls back. A broken
   * connection is destroyed: its session ends, and the lock with it. Never throws; calling it
   * again does nothing.
   */
  async release(): Promise<void> {
    await this.#end(true);
  }

  async #end(commit: boolean): Promise<void> {
    if (this.#ended) return;
    this.#ended = true;
    let failure = this.#broken;
    if (!failure) {
      try {
        if (commit && !this.#aborted) {
          await loadLockNotify(this.#pgq, this.#client, this.#target.lockKey, this.#target.channel);
          await this.#client.query('commit');
        } else {
          await this.#client.query('rollback');
        }
      } catch (error) {
        failure = error instanceof Error ? error : new Error(String(error));
      }
    }
    this.#client.removeListener('error', this.#onError);
    this.#client.release(failure ?? false);
    if (failure) {
      this.#pgq.logger.warn('pgq cache: load lock connection failed', { error: failure.message });
    }
  }

  // Every statement of the fill goes through here, so `#end` knows whether one failed (the
  // transaction is then aborted, and can only roll back).
  async #query(
    text: string,
    values?: unknown[],
  ): Promise<{ rows: unknown[]; rowCount: number | null }> {
    try {
      return await this.#client.query(text, values);
    } catch (error) {
      this.#aborted = true;
      throw error;
    }
  }
}
