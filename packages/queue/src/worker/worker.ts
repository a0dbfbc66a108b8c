import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import {
  type Contract,
  LeaseLostError,
  type Pgq,
  PgqError,
  QueueNotFoundError,
  type ServiceState,
  type StandardSchemaV1,
  TimeoutError,
} from '@pgq/core';
import { assertSignal, Batcher, Service } from '@pgq/core/internal';
import { jobsChannel } from '../channels.js';
import { Queue } from '../queue.js';
import { type JobRow, jobFromRow } from '../sql/job-row.js';
import { type JobCompletion, jobsComplete } from '../sql/jobs-complete.js';
import { type JobFailure, type JobFailureOutcome, jobsFail } from '../sql/jobs-fail.js';
import { jobsNotify } from '../sql/jobs-notify.js';
import { jobsRelease } from '../sql/jobs-release.js';
import { queueGet } from '../sql/queue-get.js';
import { PoolTooSmallError } from './errors/pool-too-small-error.js';
import { WorkerStoppedError } from './errors/worker-stopped-error.js';
import { JobFetcher } from './job-fetcher.js';
import { JobRunner } from './job-runner.js';
import { LeaseHeartbeat } from './lease-heartbeat.js';
import { type Lease, RunningJobs } from './running-jobs.js';
import { WorkerMaintenance } from './worker-maintenance.js';
import {
  assertWorkerOptions,
  type JobHandler,
  type ResolvedWorkerOptions,
  resolveWorkerOptions,
  type WorkerEvents,
  type WorkerOptions,
  type WorkerStopOptions,
} from './worker-options.js';

/**
 * Where a worker is in its life: `idle` → `starting` → `running` → `stopping` → `stopped`
 * (every pgq service's `ServiceState`).
 *
 * @example
 * ```ts
 * if (worker.state === 'running') await worker.stop();
 * ```
 */
export type WorkerState = ServiceState;

// Most completions (or failures) written by one statement.
const maxWriteBatch = 500;

/**
 * Runs a queue's jobs with a handler: claims as many as it has free slots (woken at once by
 * LISTEN/NOTIFY), renews their leases while they run, records each outcome in batches, retries
 * failures with backoff, rescues jobs of crashed workers and shows itself in the `workers`
 * registry. Construct with a queue name, a contract (typing and validating payloads) or a
 * `Queue`.
 *
 * @example
 * ```ts
 * const worker = new Worker(pgq, 'emails', async (job: Job<Email>, ctx) => {
 *   return await mailer.send(job.payload, { signal: ctx.signal });
 * }, { concurrency: 10 });
 * worker.on('dead', (job, error) => console.error('dead', job.id, error));
 * await worker.start();
 * process.on('SIGTERM', () => worker.stop({ timeoutMs: 30_000 }));
 * ```
 */
export class Worker<Payload = unknown, Result = unknown> extends Service<
  WorkerEvents<Payload, Result>,
  WorkerStopOptions
> {
  /** This worker's id in the registry and on the jobs it claims. */
  readonly id: string;
  readonly queue: Queue<unknown, Result, Payload>;
  readonly #pgq: Pgq;
  readonly #handler: JobHandler<Payload, Result>;
  readonly #options: WorkerOptions;
  // Set by start(): every option resolved against the queue and the pool.
  #settings: ResolvedWorkerOptions | undefined;
  readonly #running = new RunningJobs();
  readonly #completer: Batcher<JobCompletion, boolean>;
  readonly #failer: Batcher<JobFailure, JobFailureOutcome | undefined>;
  #stopping = false;
  #fetcher: JobFetcher | undefined;
  #runner: JobRunner<Payload, Result> | undefined;
  #heartbeat: LeaseHeartbeat | undefined;
  #maintenance: WorkerMaintenance | undefined;

  constructor(
    pgq: Pgq,
    target: string | Contract<string, StandardSchemaV1<any, Payload>> | Queue<any, any, Payload>,
    handler: JobHandler<Payload, Result>,
    options: WorkerOptions = {},
  ) {
    const id = options.workerId ?? `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
    super({
      logger: pgq.logger,
      errorMessage: 'pgq worker error',
      errorFields: { worker: id },
      stoppedError: () => new WorkerStoppedError(`Worker ${id}`),
    });
    this.id = id;
    this.#pgq = pgq;
    this.queue =
      target instanceof Queue
        ? target
        : (new Queue(pgq, target as string | Contract) as Queue<unknown, Result, Payload>);
    this.#handler = handler;
    this.#options = options;
    assertWorkerOptions(options);
    const queue = this.queue.name;
    this.#completer = new Batcher(async (completions) => {
      const done = await jobsComplete(pgq, queue, completions);
      return completions.map((completion) => done.has(completion.leaseToken));
    }, maxWriteBatch);
    this.#failer = new Batcher(async (failures) => {
      const outcomes = await jobsFail(pgq, queue, failures);
      return failures.map((failure) => outcomes.get(failure.leaseToken));
    }, maxWriteBatch);
  }

  /** How many jobs are running now. */
  get runningCount(): number {
    return this.#running.busy;
  }

  /**
   * Registers the worker, rescues expired leases and starts claiming. Throws
   * `QueueNotFoundError` when the queue does not exist. Calling it again while running is a
   * no-op; a stopped worker cannot start again (make a new one).
   */
  override start(): Promise<void> {
    return super.start();
  }

  protected async onStart(): Promise<void> {
    const pgq = this.#pgq;
    const queue = this.queue.name;
    const settings = await queueGet(pgq, queue);
    if (!settings) throw new QueueNotFoundError(queue);
    const poolMax = poolMaxOf(pgq);
    const resolved = resolveWorkerOptions(this.#options, {
      queueLeaseMs: settings.lease_ms,
      poolMax,
    });
    const { concurrency, leaseMs } = resolved;
    this.#settings = resolved;
    if (resolved.transactional && poolMax !== undefined && concurrency >= poolMax) {
      // Every running job holds a connection: the claims, completions and any write of a
      // handler outside its transaction would wait for one forever.
      throw new PoolTooSmallError(queue, concurrency, poolMax);
    }
    if (resolved.transactional && poolMax !== undefined && concurrency + 3 > poolMax) {
      pgq.logger.warn('pgq worker: transactional mode holds a connection per running job', {
        queue,
        concurrency,
        poolMax,
      });
    }
    const onError = (error: unknown) => this.report(error);
    this.#runner = new JobRunner<Payload, Result>({
      pgq,
      queue,
      workerId: this.id,
      contract: this.queue.contract,
      handler: this.#handler,
      transactional: resolved.transactional,
      retry: resolved.retry,
      leaseMs,
      completer: this.#completer,
      failer: this.#failer,
      events: {
        completed: (job, result) => this.emitSafely('completed', job, result),
        failed: (job, error, runAt) => this.emitSafely('failed', job, error, runAt),
        dead: (job, error) => this.emitSafely('dead', job, error),
        error: onError,
      },
      retryIn: (delayMs) => this.#fetcher?.wakeIn(delayMs),
      jobs: this.#running,
      slotFreed: () => this.#slotFreed(),
    });
    this.#maintenance = new WorkerMaintenance({
      pgq,
      queue,
      worker: { id: this.id, hostname: hostname(), pid: process.pid },
      rescueIntervalMs: resolved.rescueIntervalMs,
      cleanupIntervalMs: resolved.cleanupIntervalMs,
      onDead: (rows) => this.#leaseDead(rows),
      onError,
    });
    this.#heartbeat = new LeaseHeartbeat({
      pgq,
      queue,
      leaseMs,
      intervalMs: resolved.heartbeatIntervalMs,
      leases: () => this.#running.leases(),
      onLost: (leaseTokens) => this.#running.abortLost(leaseTokens),
      onError,
    });
    this.#fetcher = new JobFetcher({
      pgq,
      queue,
      workerId: this.id,
      leaseMs,
      batchSize: resolved.batchSize,
      pollIntervalMs: resolved.pollIntervalMs,
      freeSlots: () => this.#room(),
      onJobs: (rows) => {
        this.#running.add(rows);
        this.#startWaiting();
      },
      onDead: (rows) => this.#leaseDead(rows),
      onError,
    });
    await this.#maintenance.start();
    this.#heartbeat.start();
    await this.#fetcher.start();
  }

  // Jobs whose lease expired on their last attempt, found by this worker's rescue or claim:
  // their own worker is gone and cannot report them.
  #leaseDead(rows: JobRow[]): void {
    for (const row of rows) {
      const job = jobFromRow<Payload, Result>(row);
      this.emitSafely('dead', job, new LeaseLostError(job.id));
    }
  }

  // Slots for the claim: the jobs waiting or running leave room for `prefetch` more than
  // `concurrency`, and outcomes still being written may not pile up past one write batch.
  #room(): number {
    const { concurrency, prefetch } = this.#settings!;
    const held = concurrency + prefetch;
    return Math.min(held - this.#running.occupied, held + maxWriteBatch - this.#running.size);
  }

  #startWaiting(): void {
    const runner = this.#runner!;
    // Once stop() is called, waiting jobs go back to the queue instead of starting.
    while (!this.#stopping && this.#running.busy < this.#settings!.concurrency) {
      const running = this.#running.next();
      if (!running) return;
      void runner
        .run(running)
        .catch((error) => this.report(error))
        .finally(() => {
          this.#running.finish(running);
          this.#slotFreed();
        });
    }
  }

  #slotFreed(): void {
    this.#startWaiting();
    this.#fetcher?.slotFreed();
  }

  /**
   * Stops gracefully: claims nothing new, lets running jobs finish for up to `timeoutMs`
   * (default 30 000) or until `signal` aborts, then aborts the stragglers' signals and hands
   * their jobs back to `pending` for another worker (their attempt not counted; whatever they
   * do later is not recorded). Writes outstanding outcomes, leaves the registry, and closes
   * every timer and LISTEN it opened. Safe to call twice.
   */
  override stop(options?: WorkerStopOptions): Promise<void> {
    try {
      assertSignal(options?.signal);
    } catch (error) {
      return Promise.reject(error);
    }
    return super.stop(options);
  }

  protected async onStop({ timeoutMs = 30_000, signal }: WorkerStopOptions): Promise<void> {
    this.#stopping = true;
    await this.#fetcher?.stop();
    await this.#release(this.#running.takeWaiting());
    if (!(await this.#running.waitForIdle(timeoutMs, signal))) {
      const reason = signal?.aborted
        ? signal.reason
        : new TimeoutError(`Worker ${this.id} stopping`, timeoutMs);
      await this.#release(this.#running.abandon(reason));
    }
    await Promise.all([this.#completer.drain(), this.#failer.drain()]);
    await this.#heartbeat?.stop();
    await this.#maintenance?.stop();
  }

  // Hands jobs back to pending for another worker, their attempt not counted.
  async #release(leases: Lease[]): Promise<void> {
    if (leases.length === 0) return;
    try {
      const released = await jobsRelease(this.#pgq, this.queue.name, leases);
      if (released.length > 0) {
        await jobsNotify(this.#pgq, jobsChannel(this.#pgq), this.queue.name);
      }
    } catch (error) {
      // Their leases expire and the rescue sweep returns them instead: later, never lost.
      this.report(error);
    }
  }
}

function poolMaxOf(pgq: Pgq): number | undefined {
  return (pgq.pool as { options?: { max?: number } }).options?.max;
}
