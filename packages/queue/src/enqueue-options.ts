import { type TxOptions, ValidationError } from '@pgq/core';
import { textProblem } from '@pgq/core/internal';
import type { JobInsertInput } from './sql/jobs-insert.js';

/**
 * Options of `Queue.enqueue`.
 *
 * @example
 * ```ts
 * await emails.enqueue(payload, { delayMs: 60_000, priority: 10, uniqueKey: `welcome:${userId}` });
 * ```
 */
export interface EnqueueOptions extends TxOptions {
  /** Run no earlier than this time, between 1970 and the year 9999. Default: now. Not with `delayMs`. */
  runAt?: Date;
  /** Run no earlier than this many milliseconds from now (database clock), before 9999. Default 0. */
  delayMs?: number;
  /** Higher runs first; a 32-bit integer. Default 0 (or the contract's default). */
  priority?: number;
  /** Attempts before the job is dead. Default: the queue's (3 unless set at `create`). */
  maxAttempts?: number;
  /**
   * At most one live (pending or active) job per key in this queue: enqueueing a key that is
   * live returns the existing job with `deduplicated: true`. Once that job finishes, the key is
   * free again. At most 2048 UTF-8 bytes. Default: none.
   */
  uniqueKey?: string;
  /**
   * `false`: the insert commits without waiting for its WAL flush (`synchronous_commit` off for
   * that one transaction), which saves a disk flush per statement, but a database crash may
   * lose the job even after `enqueue` resolved. For jobs whose producer waits for the outcome
   * anyway and would retry (RPC requests do). Ignored with `tx`. Default true.
   */
  durable?: boolean;
}

/**
 * One job of `enqueueMany` with options of its own.
 *
 * @example
 * ```ts
 * await emails.enqueueMany([{ payload: a, priority: 5 }, { payload: b, delayMs: 1_000 }]);
 * ```
 */
export interface JobSpec<Payload> extends Omit<EnqueueOptions, 'tx'> {
  payload: Payload;
}

/**
 * Options of `Queue.enqueueMany`: defaults for every job of the batch, and `tx`.
 *
 * @example
 * ```ts
 * await emails.enqueueMany(payloads, { priority: 1, tx });
 * ```
 */
export type EnqueueManyOptions = Omit<EnqueueOptions, 'uniqueKey'>;

/**
 * What `enqueue` did.
 *
 * @example
 * ```ts
 * const { id, deduplicated } = await emails.enqueue(payload, { uniqueKey: 'daily-digest' });
 * ```
 */
export interface EnqueueResult {
  /** The job's id (a bigint as a string); the existing job's when deduplicated. */
  id: string;
  /** True when a live job with the same `uniqueKey` existed and nothing was inserted. */
  deduplicated: boolean;
}

const maxUniqueKeyBytes = 2048;

const specKeys = new Set([
  'payload',
  'runAt',
  'delayMs',
  'priority',
  'maxAttempts',
  'uniqueKey',
  'durable',
]);

/**
 * True when an `enqueueMany` item is a `JobSpec`: a plain object with a `payload` key and no
 * keys other than the options. Anything else is a payload itself.
 */
export function isJobSpec(item: unknown): item is JobSpec<unknown> {
  if (typeof item !== 'object' || item === null || Array.isArray(item)) return false;
  const keys = Object.keys(item);
  return keys.includes('payload') && keys.every((key) => specKeys.has(key));
}

const int32 = 2 ** 31 - 1;
// The times a job may hold (migration 0007's jobs_times_in_range): a Date and an ISO string
// hold them, and an infinite one stopped the whole queue (issue 26).
const earliestRunAt = Date.UTC(1970, 0, 1);
const latestRunAt = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

/** Checks one job's options and turns them into an insert row; throws `ValidationError`. */
export function toInsertInput(
  payloadText: string,
  options: Omit<EnqueueOptions, 'tx'>,
): JobInsertInput {
  const { runAt, delayMs, priority = 0, maxAttempts, uniqueKey, durable = true } = options;
  if (runAt !== undefined && delayMs !== undefined) {
    throw new ValidationError('Give runAt or delayMs, not both');
  }
  if (runAt !== undefined && (!(runAt instanceof Date) || Number.isNaN(runAt.getTime()))) {
    throw new ValidationError(`runAt must be a valid Date, got ${String(runAt)}`);
  }
  if (runAt !== undefined && (runAt.getTime() < earliestRunAt || runAt.getTime() > latestRunAt)) {
    throw new ValidationError(`runAt must be between 1970 and 9999, got ${runAt.toISOString()}`);
  }
  if (delayMs !== undefined && !(Number.isFinite(delayMs) && delayMs >= 0)) {
    throw new ValidationError(`delayMs must be a number >= 0, got ${String(delayMs)}`);
  }
  if (delayMs !== undefined && Date.now() + delayMs > latestRunAt) {
    throw new ValidationError(`delayMs must not run the job after 9999, got ${delayMs}`);
  }
  if (!Number.isInteger(priority) || Math.abs(priority) > int32) {
    throw new ValidationError(`priority must be a 32-bit integer, got ${String(priority)}`);
  }
  if (
    maxAttempts !== undefined &&
    !(Number.isInteger(maxAttempts) && maxAttempts >= 1 && maxAttempts <= int32)
  ) {
    throw new ValidationError(`maxAttempts must be an integer >= 1, got ${String(maxAttempts)}`);
  }
  if (typeof durable !== 'boolean') {
    throw new ValidationError(`durable must be a boolean, got ${String(durable)}`);
  }
  if (uniqueKey !== undefined && (typeof uniqueKey !== 'string' || uniqueKey.length === 0)) {
    throw new ValidationError('uniqueKey must be a non-empty string');
  }
  const keyProblem = uniqueKey === undefined ? undefined : textProblem(uniqueKey);
  if (keyProblem) throw new ValidationError(`uniqueKey ${keyProblem}`);
  // It lives in a B-tree index, whose entries must fit a third of a page (2704 bytes).
  if (uniqueKey !== undefined && Buffer.byteLength(uniqueKey) > maxUniqueKeyBytes) {
    throw new ValidationError(`uniqueKey must be at most ${maxUniqueKeyBytes} UTF-8 bytes`);
  }
  return {
    payload: payloadText,
    priority,
    runAt: runAt?.toISOString() ?? null,
    delayMs: delayMs ?? null,
    maxAttempts: maxAttempts ?? null,
    uniqueKey: uniqueKey ?? null,
    durable,
  };
}
