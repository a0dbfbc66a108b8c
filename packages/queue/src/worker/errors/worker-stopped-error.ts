import { PgqError, type PgqErrorOptions } from '@pgq/core';

/**
 * A stopped `Worker` (or `RpcServer`) cannot start again: make a new one.
 *
 * @example
 * ```ts
 * await worker.stop();
 * await worker.start(); // throws WorkerStoppedError
 * ```
 */
export class WorkerStoppedError extends PgqError {
  static readonly code = 'PGQ_WORKER_STOPPED';
  readonly worker: string;

  constructor(worker: string, options?: PgqErrorOptions) {
    super(WorkerStoppedError.code, `${worker} was stopped: create a new one`, options);
    this.name = 'WorkerStoppedError';
    this.worker = worker;
  }
}
