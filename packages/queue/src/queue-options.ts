import type { JobState, TxOptions } from '@pgq/core';
import type { RetryOptions } from './backoff.js';
import type { Job } from './job.js';

/**
 * A queue's defaults, for `Queue.create`. Each applies to jobs that do not set their own.
 * Retention is kept in whole seconds: a retention in milliseconds is rounded up to the next
 * second (1 ms keeps jobs 1 s), so a job stays at least as long as asked.
 *
 * @example
 * ```ts
 * await emails.create({ maxAttempts: 5, leaseMs: 60_000, completedRetentionMs: 3_600_000 });
 * ```
 */
export interface QueueSettings {
  /** Attempts before a job is dead. Default 3. */
  maxAttempts?: number;
  /** How long a claim holds a job before another worker may take it. Default 30 000 ms. */
  leaseMs?: number;
  /**
   * How long completed jobs stay in the archive, in ms (rounded up to whole seconds). 0 keeps
   * none: a completion only deletes the job (the fastest drain), and `waitFor` reads the
   * results only of jobs it was already waiting on. Default 86 400 000 ms (a day).
   */
  completedRetentionMs?: number;
  /**
   * How long dead and cancelled jobs stay in the archive, in ms (rounded up to whole seconds).
   * Default 1 209 600 000 ms (14 days).
   */
  deadRetentionMs?: number;
  /**
   * @deprecated Use `completedRetentionMs` (this times 1000); removed in the next release.
   * Giving both with different values throws `ValidationError`.
   */
  completedRetentionSeconds?: number;
  /**
   * @deprecated Use `deadRetentionMs` (this times 1000); removed in the next release. Giving
   * both with different values throws `ValidationError`.
   */
  deadRetentionSeconds?: number;
}

/**
 * Options of `Queue.dequeue` and `dequeueMany`.
 *
 * @example
 * ```ts
 * const job = await emails.dequeue({ leaseMs: 60_000 });
 * ```
 */
export interface DequeueOptions extends TxOptions {
  /** How long the claim holds the job. Default: the queue's `leaseMs`. */
  leaseMs?: number;
}

/**
 * Which lease a by-hand `complete`, `fail` or `extendLease` acts under. Not needed with the
 * `Job` from `dequeue`, nor with an id this `Queue` dequeued itself.
 *
 * @example
 * ```ts
 * await emails.complete(id, { leaseToken: job.leaseToken! });
 * ```
 */
export interface LeaseOptions extends TxOptions {
  /** The `leaseToken` of the `Job` from `dequeue`. */
  leaseToken?: string;
}

/**
 * Options of `Queue.complete`.
 *
 * @example
 * ```ts
 * await emails.complete(job, { result: { messageId } });
 * ```
 */
export interface CompleteOptions<Result> extends LeaseOptions {
  /** Stored with the job and given to `waitFor`. Must be JSON. Default: null. */
  result?: Result;
}

/**
 * Options of `Queue.fail`.
 *
 * @example
 * ```ts
 * await emails.fail(job, error, { retry: { baseMs: 10_000 } });
 * ```
 */
export interface FailOptions extends LeaseOptions {
  /** The backoff before the next attempt. Default `{ baseMs: 1000, factor: 2, maxMs: 3_600_000, jitter: true }`. */
  retry?: Partial<RetryOptions>;
  /** Dead now, attempts left or not (an error retrying cannot fix). Default false. */
  dead?: boolean;
}

/**
 * What `Queue.fail` did with the job.
 *
 * @example
 * ```ts
 * const outcome = await emails.fail(job, error);
 * if (outcome.state === 'pending') console.log('retrying at', outcome.runAt);
 * ```
 */
export type FailResult = { state: 'pending'; runAt: Date } | { state: 'dead' };

/**
 * One item of `Queue.completeMany`: a job (or id) and its result.
 *
 * @example
 * ```ts
 * await emails.completeMany([{ job, result: { sent: true } }, otherJob]);
 * ```
 */
export interface Completion<Result> {
  job: Job | string;
  result?: Result;
  /** Needed only for an id this `Queue` did not dequeue itself. */
  leaseToken?: string;
}

/**
 * What `Queue.completeMany` did.
 *
 * @example
 * ```ts
 * const { lost } = await emails.completeMany(jobs);
 * if (lost.length) console.warn('leases lost for', lost);
 * ```
 */
export interface CompleteManyResult {
  completed: string[];
  /** Ids whose lease no longer held: nothing changed for them. */
  lost: string[];
}

/**
 * Options of `Queue.list`.
 *
 * @example
 * ```ts
 * const page = await emails.list({ state: 'dead', limit: 50 });
 * const next = await emails.list({ state: 'dead', limit: 50, cursor: page.at(-1)?.id });
 * ```
 */
export interface ListOptions {
  /** Only jobs in this state; `scheduled` means pending and not due yet. Default: every state. */
  state?: JobState | 'scheduled';
  /** Page size, 1 to 1000. Default 50. */
  limit?: number;
  /** Skip this many. Default 0. Prefer `cursor` on large queues. */
  offset?: number;
  /** Only jobs older than this id (the last id of the previous page). Default: none. */
  cursor?: string;
}

/**
 * Counts of a queue's jobs, from `Queue.stats()`.
 *
 * @example
 * ```ts
 * const { pending, active, dead, oldestPendingMs } = await emails.stats();
 * ```
 */
export interface QueueStats {
  /** Waiting and due now. */
  pending: number;
  /** Waiting for a later `runAt` (delayed, or backing off after a failure). */
  scheduled: number;
  active: number;
  /** In the archive (until retention removes them). */
  completed: number;
  dead: number;
  cancelled: number;
  /** How long the oldest due job has waited; null when none is due. */
  oldestPendingMs: number | null;
}

/**
 * Options of `Queue.waitFor`.
 *
 * @example
 * ```ts
 * const result = await emails.waitFor(id, { timeoutMs: 10_000, signal: request.signal });
 * ```
 */
export interface WaitForOptions {
  /** Reject with `TimeoutError` after this long. Default: wait as long as it takes. */
  timeoutMs?: number;
  /**
   * Aborting it rejects the wait with the signal's reason and stops listening for the job
   * (which carries on). Already aborted: rejects at once. Default: none.
   */
  signal?: AbortSignal;
}
