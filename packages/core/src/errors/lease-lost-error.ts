import { PgqError } from './pgq-error.js';

/**
 * The job's lease expired or was taken by another claim: this worker's complete, fail
 * or heartbeat was refused and changed nothing.
 */
export class LeaseLostError extends PgqError {
  static readonly code = 'PGQ_LEASE_LOST';
  readonly jobId: string;

  constructor(jobId: string) {
    super(LeaseLostError.code, `Lease on job ${jobId} was lost: another worker may be running it`);
    this.name = 'LeaseLostError';
    this.jobId = jobId;
  }
}
