import { PgqError, type PgqErrorOptions } from '@pgq/core';

/**
 * `retry()` would revive a job whose unique key is held by another live job. Nothing changed.
 *
 * @example
 * ```ts
 * try {
 *   await emails.retry(id);
 * } catch (error) {
 *   if (PgqError.hasCode(error, UniqueKeyConflictError.code)) console.warn('already queued again');
 * }
 * ```
 */
export class UniqueKeyConflictError extends PgqError {
  static readonly code = 'PGQ_UNIQUE_KEY_CONFLICT';
  readonly queue: string;
  readonly jobId: string;

  constructor(queue: string, jobId: string, options?: PgqErrorOptions) {
    super(
      UniqueKeyConflictError.code,
      `Job ${jobId} in queue "${queue}" cannot be retried: another live job has its unique key`,
      options,
    );
    this.name = 'UniqueKeyConflictError';
    this.queue = queue;
    this.jobId = jobId;
  }
}
