import { type Contract, LeaseLostError, type Pgq, validate } from '@pgq/core';
import { type Batcher, toErrorRecord, toJsonText } from '@pgq/core/internal';
import type { PoolClient } from 'pg';
import { type RetryOptions, retryDelayMs } from '../backoff.js';
import type { Job } from '../job.js';
import { type JobCompletion, jobsComplete } from '../sql/jobs-complete.js';
import { jobsExtendLease } from '../sql/jobs-extend-lease.js';
import type { JobFailure, JobFailureOutcome } from '../sql/jobs-fail.js';
import type { RunningJob } from './running-job.js';
import type { RunningJobs } from './running-jobs.js';
import type { JobContext, JobHandler } from './worker-options.js';

/** Where a `JobRunner` reports outcomes. */
export interface JobRunnerEvents<Payload, Result> {
  completed(job: Job<Payload>, result: Result): void;
  failed(job: Job<Payload>, error: unknown, runAt: Date): void;
  dead(job: Job<Payload>, error: unknown): void;
  error(error: unknown): void;
}

/** What a `JobRunner` needs from its worker. */
export interface JobRunnerOptions<Payload, Result> {
  pgq: Pgq;
  queue: string;
  workerId: string;
  contract: Contract | undefined;
  handler: JobHandler<Payload, Result>;
  transactional: boolean;
  retry: RetryOptions;
  leaseMs: number;
  completer: Batcher<JobCompletion, boolean>;
  failer: Batcher<JobFailure, JobFailureOutcome | undefined>;
  events: JobRunnerEvents<Payload, Result>;
  /** Called with the backoff delay of a retried job, so this worker wakes for it. */
  retryIn(delayMs: number): void;
  /** The worker's jobs: the runner moves each through its states there. */
  jobs: RunningJobs;
  /** A job's handler is done and its slot free: the worker may start another. */
  slotFreed(): void;
}

// `completed` is null when the completion write itself failed: its outcome is unknown (and
// already reported); the lease decides what happens to the job.
type Attempt<Result> =
  | { ok: true; result: Result; completed: boolean | null }
  | { ok: false; error: unknown };

/**
 * Runs one job (River's executor): validates the payload against the contract, calls the
 * handler with its context, and records the outcome: completion (batched, or inside the
 * handler's transaction), a retry with backoff, or dead.
 */
export class JobRunner<Payload, Result> {
  readonly #options: JobRunnerOptions<Payload, Result>;

  constructor(options: JobRunnerOptions<Payload, Result>) {
    this.#options = options;
  }

  async run(running: RunningJob): Promise<void> {
    const { contract, events } = this.#options;
    const job = { ...running.job } as Job<Payload>;
    if (contract) {
      try {
        job.payload = (await validate(contract.schema, job.payload)) as Payload;
      } catch (error) {
        // Written by another program: no attempt can fix it, so it is dead at once.
        return this.#fail(running, job, error, true);
      }
    }
    const attempt = this.#options.transactional
      ? await this.#attemptInTransaction(running, job)
      : await this.#attempt(running, job);
    if (!attempt.ok) return this.#fail(running, job, attempt.error, false);
    if (running.state === 'released' || attempt.completed === null) return;
    if (attempt.completed) events.completed(job, attempt.result);
    else events.error(new LeaseLostError(job.id));
  }

  async #attempt(running: RunningJob, job: Job<Payload>): Promise<Attempt<Result>> {
    let result: Result;
    let resultText: string | null;
    try {
      result = await this.#options.handler(job, this.#context(running, job, undefined));
      resultText =
        result === undefined ? null : toJsonText(result, 'result', this.#options.pgq.maxValueBytes);
    } catch (error) {
      return { ok: false, error };
    }
    // Handed back by stop() meanwhile: another worker may run it, so nothing is written.
    if (!this.#settle(running)) return { ok: true, result, completed: null };
    try {
      const completion = { id: job.id, leaseToken: running.leaseToken, result: resultText };
      return { ok: true, result, completed: await this.#options.completer.add(completion) };
    } catch (error) {
      // The outcome is unknown here; the lease decides: expired, the job runs again.
      this.#options.events.error(error);
      return { ok: true, result, completed: null };
    }
  }

  async #attemptInTransaction(running: RunningJob, job: Job<Payload>): Promise<Attempt<Result>> {
    const { pgq, queue, handler } = this.#options;
    let client: PoolClient;
    try {
      client = await pgq.pool.connect();
    } catch (error) {
      return { ok: false, error };
    }
    let broken = false;
    // A connection that dies while the handler runs emits 'error' on the client: without a
    // listener that would be an uncaught exception. The next query fails and says why.
    const onError = () => {
      broken = true;
    };
    client.on('error', onError);
    const rollback = () =>
      client.query('rollback').catch(() => {
        broken = true;
      });
    try {
      await client.query('begin');
      let result: Result;
      let resultText: string | null;
      try {
        result = await handler(job, this.#context(running, job, client));
        resultText = result === undefined ? null : toJsonText(result, 'result', pgq.maxValueBytes);
      } catch (error) {
        await rollback();
        return { ok: false, error };
      }
      if (!this.#options.jobs.commit(running)) {
        // Handed back by stop() meanwhile: the handler's writes must not commit.
        await rollback();
        return { ok: true, result, completed: null };
      }
      const completion = { id: job.id, leaseToken: running.leaseToken, result: resultText };
      const done = await jobsComplete(pgq, queue, [completion], client);
      if (!done.has(running.leaseToken)) {
        // Lease lost: the handler's writes must not commit, since the job may run elsewhere.
        await rollback();
        return { ok: true, result, completed: false };
      }
      await client.query('commit');
      return { ok: true, result, completed: true };
    } catch (error) {
      // A failed completion or commit (a deferred constraint, a dropped connection): the
      // handler's writes are not committed, so this attempt failed.
      await rollback();
      return { ok: false, error };
    } finally {
      client.off('error', onError);
      client.release(broken);
      this.#settle(running);
    }
  }

  // Frees the job's slot; false when it was handed back and nothing is to be recorded.
  #settle(running: RunningJob): boolean {
    const recorded = this.#options.jobs.settle(running);
    this.#options.slotFreed();
    return recorded;
  }

  #context(
    running: RunningJob,
    job: Job<Payload>,
    tx: JobContext<Payload>['tx'],
  ): JobContext<Payload> {
    const { pgq, queue, leaseMs, workerId } = this.#options;
    return {
      signal: running.controller.signal,
      tx,
      job,
      workerId,
      heartbeat: async () => {
        const lease = { id: job.id, leaseToken: running.leaseToken };
        const extended = await jobsExtendLease(pgq, queue, [lease], leaseMs);
        if (extended.has(running.leaseToken)) return;
        const lost = new LeaseLostError(job.id);
        running.controller.abort(lost);
        throw lost;
      },
    };
  }

  async #fail(
    running: RunningJob,
    job: Job<Payload>,
    error: unknown,
    final: boolean,
  ): Promise<void> {
    const { failer, events, retry } = this.#options;
    if (!this.#settle(running)) return;
    const delayMs = retryDelayMs(job.attempts, retry);
    let outcome: JobFailureOutcome | undefined;
    try {
      outcome = await failer.add({
        id: job.id,
        leaseToken: running.leaseToken,
        error: toJsonText(toErrorRecord(error), 'error'),
        delayMs,
        final,
      });
    } catch (writeError) {
      events.error(writeError);
      return;
    }
    if (!outcome) {
      events.error(new LeaseLostError(job.id));
    } else if (outcome.state === 'dead') {
      events.dead(job, error);
    } else {
      this.#options.retryIn(delayMs);
      events.failed(job, error, outcome.runAt);
    }
  }
}
