import { PgqError } from '@pgq/core';

/**
 * No job with this id exists in the queue, live or archived (it may have been purged or
 * removed by the archive's retention).
 *
 * @example
 * ```ts
 * try {
 *   await emails.waitFor(id);
 * } catch (error) {
 *   if (PgqError.hasCode(error, JobNotFoundError.code)) console.warn('no such job', id);
 * }
 * ```
 */
export class JobNotFoundError extends PgqError {
  static readonly code = 'PGQ_JOB_NOT_FOUND';
  readonly queue: string;
  readonly jobId: string;

  constructor(queue: string, jobId: string) {
    super(JobNotFoundError.code, `Job ${jobId} does not exist in queue "${queue}"`);
    this.name = 'JobNotFoundError';
    this.queue = queue;
    this.jobId = jobId;
  }
}
