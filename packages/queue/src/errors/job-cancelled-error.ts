import { PgqError } from '@pgq/core';

/**
 * The job a `waitFor` was waiting on was cancelled, so it has no result.
 *
 * @example
 * ```ts
 * const waiting = emails.waitFor(id);
 * await emails.cancel(id);
 * await waiting; // rejects with JobCancelledError
 * ```
 */
export class JobCancelledError extends PgqError {
  static readonly code = 'PGQ_JOB_CANCELLED';
  readonly queue: string;
  readonly jobId: string;

  constructor(queue: string, jobId: string) {
    super(JobCancelledError.code, `Job ${jobId} in queue "${queue}" was cancelled`);
    this.name = 'JobCancelledError';
    this.queue = queue;
    this.jobId = jobId;
  }
}
