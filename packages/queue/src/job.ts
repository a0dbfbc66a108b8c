import type { JobState } from '@pgq/core';
import type { JobError } from './job-error.js';

/**
 * A job, live (`pending`, `active`) or archived (`completed`, `dead`, `cancelled`).
 * Jobs returned by `dequeue` and given to a worker's handler carry their `leaseToken`:
 * `complete`, `fail` and `extendLease` apply only while that token still holds the job.
 *
 * @example
 * ```ts
 * const job = await emails.dequeue();
 * if (job) await emails.complete(job, { result: { sent: true } });
 * ```
 */
export interface Job<Payload = unknown, Result = unknown> {
  /** A bigint, as a string. Unique across every queue of the schema. */
  id: string;
  queue: string;
  state: JobState;
  payload: Payload;
  /** Higher runs first. */
  priority: number;
  /** When the job may run next; `null` once archived. */
  runAt: Date | null;
  /** Claims so far, this one included while `active`. */
  attempts: number;
  maxAttempts: number;
  uniqueKey: string | null;
  /** The current claim's token, while `active`. */
  leaseToken: string | null;
  leaseExpiresAt: Date | null;
  /** The worker holding the lease (`workers.id`), when a `Worker` claimed it. */
  workerId: string | null;
  /** The last failed attempt's error, kept after a retry and when dead. */
  lastError: JobError | null;
  /** What the handler returned (or `complete`'s `result`), once completed. */
  result: Result | null;
  createdAt: Date;
  /** When the last claim started. */
  startedAt: Date | null;
  /** When it completed, died or was cancelled. */
  finishedAt: Date | null;
  /** From the last claim to its outcome, in milliseconds. */
  durationMs: number | null;
}
