import { PgqError, type PgqErrorOptions } from '@pgq/core';

/**
 * A transactional `Worker` holds a pool connection per running job, so its concurrency must be below the pool's `max`.
 *
 * @example
 * ```ts
 * const pgq = connect({ max: 5 });
 * await new Worker(pgq, 'emails', handler, { transactional: true, concurrency: 5 }).start(); // throws
 * ```
 */
export class PoolTooSmallError extends PgqError {
  static readonly code = 'PGQ_POOL_TOO_SMALL';
  readonly queue: string;
  readonly concurrency: number;
  readonly poolMax: number;

  constructor(queue: string, concurrency: number, poolMax: number, options?: PgqErrorOptions) {
    super(
      PoolTooSmallError.code,
      `Worker for queue "${queue}": transactional mode holds a pool connection per running job, so concurrency (${concurrency}) must be below the pool's max (${poolMax}); raise max in connect() or lower concurrency`,
      options,
    );
    this.name = 'PoolTooSmallError';
    this.queue = queue;
    this.concurrency = concurrency;
    this.poolMax = poolMax;
  }
}
