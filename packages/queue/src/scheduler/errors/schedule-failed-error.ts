import { PgqError, type PgqErrorOptions } from '@pgq/core';

/**
 * A schedule's tick could not be enqueued (its queue was deleted, its payload no longer validates…); reported on the `Scheduler`'s `error` event, and tried again later.
 *
 * @example
 * ```ts
 * scheduler.on('error', (error) => {
 *   if (error instanceof ScheduleFailedError) console.warn(error.schedule, error.cause);
 * });
 * ```
 */
export class ScheduleFailedError extends PgqError {
  static readonly code = 'PGQ_SCHEDULE_FAILED';
  readonly schedule: string;

  constructor(schedule: string, reason: string, options?: PgqErrorOptions) {
    super(ScheduleFailedError.code, `Schedule "${schedule}" could not fire: ${reason}`, options);
    this.name = 'ScheduleFailedError';
    this.schedule = schedule;
  }
}
