import { ValidationError } from '@pgq/core';
import type { PoolClient } from 'pg';
import { assertInteger, maxInt32 } from '../assert-integer.js';
import { type RetryOptions, resolveRetryOptions } from '../backoff.js';
import type { Job } from '../job.js';

/**
 * Options of `Worker`. Every field is optional.
 *
 * @example
 * ```ts
 * new Worker(pgq, 'emails', handler, { concurrency: 20, leaseMs: 60_000, transactional: true });
 * ```
 */
export interface WorkerOptions {
  /** Jobs run at once by this worker. Default 10 (transactional: at most the pool's `max` - 2). */
  concurrency?: number;
  /**
   * How long each claim holds a job; renewed every `heartbeatIntervalMs` while the handler
   * runs, so it only bounds how soon a crashed worker's jobs run again. Default: the queue's
   * `leaseMs` (30 000 unless set at `create`).
   */
  leaseMs?: number;
  /** How often running jobs' leases are renewed. Default: a third of `leaseMs`. */
  heartbeatIntervalMs?: number;
  /**
   * How often to look for jobs without being told. A fallback only: new jobs wake the
   * worker at once through LISTEN/NOTIFY, and delayed jobs through a timer. Default 5000 ms.
   */
  pollIntervalMs?: number;
  /**
   * Jobs claimed ahead of free slots, held (their leases renewed) until a slot frees, so a
   * stream of short jobs needs fewer, larger claims (graphile-worker's local queue). Waiting
   * jobs count as active and are handed back by `stop()`. Leave at 0 for long jobs, which
   * another worker could start sooner. Default 0.
   */
  prefetch?: number;
  /** Most jobs claimed by one statement; claims are sized to free slots. Default `concurrency + prefetch`. */
  batchSize?: number;
  /** Backoff between attempts. Default `{ baseMs: 1000, factor: 2, maxMs: 3_600_000, jitter: true }`. */
  retry?: Partial<RetryOptions>;
  /**
   * Run each handler in a transaction (`ctx.tx`) that also completes the job, so the handler's
   * writes and the completion commit together, or not at all. Each running job holds a pool
   * connection: `concurrency` must be below the pool's `max` (`start()` refuses otherwise with
   * `PGQ_POOL_TOO_SMALL`, since the worker's own writes would wait for a connection forever).
   * Default false.
   */
  transactional?: boolean;
  /** How often this worker looks for expired leases (crashed workers' jobs). Default 5000 ms. */
  rescueIntervalMs?: number;
  /** How often this worker removes archived jobs past retention and stale registry rows. Default 60 000 ms. */
  cleanupIntervalMs?: number;
  /** This worker's id in the registry and on the jobs it claims; at most 1024 UTF-8 bytes. Default `<hostname>:<pid>:<random>`. */
  workerId?: string;
}

/**
 * Options of `Worker.stop()`.
 *
 * @example
 * ```ts
 * const force = new AbortController();
 * process.once('SIGTERM', () => worker.stop({ timeoutMs: 30_000, signal: force.signal }));
 * process.once('SIGINT', () => force.abort()); // a second signal: hand the jobs back now
 * ```
 */
export interface WorkerStopOptions {
  /** How long running jobs may take to finish before their jobs are handed back. Default 30 000. */
  timeoutMs?: number;
  /**
   * Aborting it ends that wait at once, as if `timeoutMs` had passed: running handlers' signals
   * abort with its reason and their jobs go back to `pending`; `stop()` still resolves once
   * stopped. Already aborted: nothing is waited for. Default: none.
   */
  signal?: AbortSignal;
}

/**
 * What a handler gets besides its job.
 *
 * @example
 * ```ts
 * new Worker(pgq, 'reports', async (job, ctx) => {
 *   for (const page of pages) {
 *     if (ctx.signal.aborted) throw ctx.signal.reason;
 *     await render(page);
 *     await ctx.heartbeat();
 *   }
 * });
 * ```
 */
export interface JobContext<Payload = unknown> {
  /** Aborts when the lease is lost (the job may run elsewhere) or `stop()` timed out. */
  signal: AbortSignal;
  /** Renews the lease now (it is renewed automatically too); throws `LeaseLostError` when lost. */
  heartbeat(): Promise<void>;
  /**
   * With `transactional: true`: the `pg` client in the job's transaction (`BEGIN` done). Use it
   * for the writes that must commit with the job's completion; pass it as `{ tx }` to other pgq
   * calls. Do not commit or roll it back yourself. Otherwise undefined.
   */
  tx: PoolClient | undefined;
  /** The job being run (the handler's first argument). */
  job: Job<Payload>;
  /** The id of the worker running it. */
  workerId: string;
}

/**
 * A worker's handler: what it returns (JSON) is stored as the job's result; what it throws
 * fails the attempt.
 *
 * @example
 * ```ts
 * const handler: JobHandler<{ to: string }, { messageId: string }> = async (job) => send(job.payload.to);
 * ```
 */
export type JobHandler<Payload = unknown, Result = unknown> = (
  job: Job<Payload>,
  context: JobContext<Payload>,
) => Result | Promise<Result>;

/**
 * The events of a `Worker`.
 *
 * @example
 * ```ts
 * worker.on('dead', (job, error) => alert(`job ${job.id} is dead: ${String(error)}`));
 * ```
 */
export interface WorkerEvents<Payload = unknown, Result = unknown> {
  /** The job completed with this result. */
  completed: [job: Job<Payload>, result: Result];
  /** An attempt failed; the job runs again at `runAt`. */
  failed: [job: Job<Payload>, error: unknown, runAt: Date];
  /**
   * An attempt failed and no attempts are left (or the payload was invalid): the job is dead.
   * Also emitted by the worker whose rescue sweep finds a crashed worker's job out of attempts
   * (error: `LeaseLostError`), since its own worker is gone.
   */
  dead: [job: Job<Payload>, error: unknown];
  /** Something went wrong around the jobs (a lost lease, the database); the worker carries on. */
  error: [error: Error];
}

/** A `Worker`'s options with every default applied (see `resolveWorkerOptions`). */
export type ResolvedWorkerOptions = Required<Omit<WorkerOptions, 'retry' | 'workerId'>> & {
  retry: RetryOptions;
};

/**
 * The defaults of the options that do not depend on the queue or the pool. The TSDoc of
 * `WorkerOptions` states them for users; this table is the only place the code reads them.
 */
const workerDefaults = {
  concurrency: 10,
  pollIntervalMs: 5_000,
  prefetch: 0,
  transactional: false,
  rescueIntervalMs: 5_000,
  cleanupIntervalMs: 60_000,
} as const;

// A transactional worker's default concurrency leaves this many pool connections for the
// worker's own claims and writes.
const transactionalSpareConnections = 2;
const minHeartbeatIntervalMs = 50;

/** Checks a `Worker`'s options at construction; throws `ValidationError` for a bad one. */
export function assertWorkerOptions(options: WorkerOptions): void {
  assertInteger('concurrency', options.concurrency ?? workerDefaults.concurrency, 1, 10_000);
  for (const option of ['pollIntervalMs', 'rescueIntervalMs', 'cleanupIntervalMs'] as const) {
    if (options[option] !== undefined) assertInteger(option, options[option], 1, maxInt32);
  }
  if (options.heartbeatIntervalMs !== undefined) {
    assertInteger('heartbeatIntervalMs', options.heartbeatIntervalMs, 10, maxInt32);
  }
  if (options.batchSize !== undefined) assertInteger('batchSize', options.batchSize, 1, 10_000);
  if (options.prefetch !== undefined) assertInteger('prefetch', options.prefetch, 0, 10_000);
  if (options.leaseMs !== undefined) assertInteger('leaseMs', options.leaseMs, 100, maxInt32);
  const { workerId } = options;
  // Migration 0007 holds jobs.worker_id to 1024 bytes (a hostile worker padded it).
  if (
    workerId !== undefined &&
    !(typeof workerId === 'string' && Buffer.byteLength(workerId) <= 1024)
  ) {
    throw new ValidationError('workerId must be a string of at most 1024 UTF-8 bytes');
  }
  resolveRetryOptions(options.retry);
}

/**
 * Applies every default to checked options: `queueLeaseMs` is the queue's lease, `poolMax`
 * the pool's size when known (a transactional worker's default concurrency fits in it).
 *
 * @example
 * ```ts
 * const settings = resolveWorkerOptions({ prefetch: 500 }, { queueLeaseMs: 30_000, poolMax: 10 });
 * settings.batchSize; // 510
 * ```
 */
export function resolveWorkerOptions(
  options: WorkerOptions,
  context: { queueLeaseMs: number; poolMax: number | undefined },
): ResolvedWorkerOptions {
  const transactional = options.transactional ?? workerDefaults.transactional;
  const concurrency =
    options.concurrency ??
    (transactional && context.poolMax !== undefined
      ? Math.max(
          1,
          Math.min(workerDefaults.concurrency, context.poolMax - transactionalSpareConnections),
        )
      : workerDefaults.concurrency);
  const prefetch = options.prefetch ?? workerDefaults.prefetch;
  const leaseMs = options.leaseMs ?? context.queueLeaseMs;
  return {
    concurrency,
    prefetch,
    transactional,
    leaseMs,
    heartbeatIntervalMs:
      options.heartbeatIntervalMs ?? Math.max(minHeartbeatIntervalMs, Math.floor(leaseMs / 3)),
    pollIntervalMs: options.pollIntervalMs ?? workerDefaults.pollIntervalMs,
    batchSize: options.batchSize ?? concurrency + prefetch,
    retry: resolveRetryOptions(options.retry),
    rescueIntervalMs: options.rescueIntervalMs ?? workerDefaults.rescueIntervalMs,
    cleanupIntervalMs: options.cleanupIntervalMs ?? workerDefaults.cleanupIntervalMs,
  };
}
