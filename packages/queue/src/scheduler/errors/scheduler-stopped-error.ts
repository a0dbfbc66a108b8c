import { PgqError, type PgqErrorOptions } from '@pgq/core';

/**
 * A stopped `Scheduler` cannot start again: make a new one.
 *
 * @example
 * ```ts
 * await scheduler.stop();
 * await scheduler.start(); // throws SchedulerStoppedError
 * ```
 */
export class SchedulerStoppedError extends PgqError {
  static readonly code = 'PGQ_SCHEDULER_STOPPED';
  constructor(options?: PgqErrorOptions) {
    super(SchedulerStoppedError.code, 'This scheduler was stopped: create a new one', options);
    this.name = 'SchedulerStoppedError';
  }
}
