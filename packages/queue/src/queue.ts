import {
  assertName,
  type Contract,
  isContract,
  LeaseLostError,
  type Pgq,
  type StandardSchemaV1,
  type TxOptions,
  ValidationError,
} from '@pgq/core';
import { assertSignal, Batcher } from '@pgq/core/internal';
import { assertInteger, maxInt32 } from './assert-integer.js';
import { assertJobId } from './assert-job-id.js';
import { type ConsumerContext, completeMany, dequeueMany, failLeased } from './consumer/consume.js';
import { LeaseBook } from './consumer/lease-book.js';
import { insertInputs, insertJobs, prepareJob } from './enqueue-batch.js';
import type {
  EnqueueManyOptions,
  EnqueueOptions,
  EnqueueResult,
  JobSpec,
} from './enqueue-options.js';
import type { Job } from './job.js';
import { JobWaiters } from './job-waiters.js';
import type {
  CompleteManyResult,
  CompleteOptions,
  Completion,
  DequeueOptions,
  FailOptions,
  FailResult,
  LeaseOptions,
  ListOptions,
  QueueSettings,
  QueueStats,
  WaitForOptions,
} from './queue-options.js';
import { resolveQueueSettings } from './queue-settings.js';
import { archiveClean } from './sql/archive-clean.js';
import { jobCancel } from './sql/job-cancel.js';
import { jobGet } from './sql/job-get.js';
import { jobRetry } from './sql/job-retry.js';
import { jobFromRow } from './sql/job-row.js';
import { jobsExtendLease } from './sql/jobs-extend-lease.js';
import type { JobInsertInput } from './sql/jobs-insert.js';
import { jobsList } from './sql/jobs-list.js';
import { jobsPurge } from './sql/jobs-purge.js';
import { queueCreate } from './sql/queue-create.js';
import { queueDelete } from './sql/queue-delete.js';
import { queueStats } from './sql/queue-stats.js';
import { queueUpdate } from './sql/queue-update.js';

/**
 * One queue: produce jobs, consume them by hand, manage them. Workers (`Worker`) consume a
 * queue continuously. Construct with a name (`Queue<Payload>`) or a contract, which types the
 * payload and validates it at `enqueue`.
 *
 * @example
 * ```ts
 * const emails = new Queue<{ to: string }>(pgq, 'emails');
 * await emails.create({ maxAttempts: 5 });
 * const { id } = await emails.enqueue({ to: 'ada@example.com' }, { delayMs: 1_000 });
 * const result = await emails.waitFor(id, { timeoutMs: 30_000 });
 * ```
 */
export class Queue<Payload = unknown, Result = unknown, Output = Payload> {
  readonly pgq: Pgq;
  /** The queue's name. */
  readonly name: string;
  /** The contract given to the constructor, if any. */
  readonly contract: Contract | undefined;
  readonly #leases = new LeaseBook();
  readonly #waiters: JobWaiters;
  readonly #context: ConsumerContext;
  readonly #inserts: Batcher<JobInsertInput, EnqueueResult>;

  constructor(pgq: Pgq, target: string | Contract<string, StandardSchemaV1<Payload, Output>>) {
    this.pgq = pgq;
    this.contract = isContract(target) ? target : undefined;
    this.name = assertName('queue', isContract(target) ? target.name : target);
    this.#waiters = new JobWaiters(pgq, this.name);
    this.#context = { pgq, queue: this.name, contract: this.contract, leases: this.#leases };
    // Concurrent enqueues outside a transaction share one INSERT (and one commit and one
    // NOTIFY): a commit waits for its WAL flush, so one row per commit caps a queue near a
    // commit's latency, while a shared statement costs its callers one round trip each.
    this.#inserts = new Batcher(
      (inputs) => insertInputs(pgq, this.name, inputs),
      maxCoalescedInserts,
    );
  }

  /**
   * Creates the queue (and its partition) with these defaults; when it exists, sets the
   * defaults given and leaves the others. Idempotent. Returns true when created now.
   */
  async create(settings: QueueSettings & TxOptions = {}): Promise<boolean> {
    const resolved = resolveQueueSettings(settings);
    const created = await queueCreate(this.pgq, this.name, resolved.withDefaults, settings.tx);
    if (!created && resolved.given) {
      await queueUpdate(this.pgq, this.name, resolved.onlyGiven, settings.tx);
    }
    return created;
  }

  /** Deletes the queue with its live and archived jobs. Returns false when it did not exist. */
  async delete(options: TxOptions = {}): Promise<boolean> {
    return queueDelete(this.pgq, this.name, options.tx);
  }

  /**
   * Adds a job. With `uniqueKey`, returns the live job holding that key instead, with
   * `deduplicated: true`. With `tx`, the job exists only if that transaction commits.
   * Throws `ValidationError` (nothing written) for a bad payload or option,
   * `PayloadTooLargeError` for a payload over `connect({ maxValueBytes })` (default 1 MiB), and
   * `QueueNotFoundError` for a queue that was never created.
   */
  async enqueue(payload: Payload, options: EnqueueOptions = {}): Promise<EnqueueResult> {
    const { tx, ...own } = options;
    const input = await prepareJob(payload, own, this.contract, this.pgq.maxValueBytes);
    if (tx) {
      const [result] = await insertInputs(this.pgq, this.name, [input], tx);
      return result!;
    }
    return this.#inserts.add(input);
  }

  /**
   * Adds many jobs in one statement, in one round trip, whatever their number. Items are
   * payloads, or `{ payload, ...options }` objects (a plain object whose keys are `payload` and
   * enqueue options only); `options` apply to every item that does not set its own. Results
   * come in input order. All or nothing: one bad item and nothing is written.
   */
  async enqueueMany(
    items: ReadonlyArray<Payload | JobSpec<Payload>>,
    options: EnqueueManyOptions = {},
  ): Promise<EnqueueResult[]> {
    if (!Array.isArray(items)) throw new ValidationError('enqueueMany expects an array');
    if (items.length === 0) return [];
    return insertJobs(this.pgq, this.name, this.contract, items, options);
  }

  /** Claims the next ready job under a lease (`leaseMs`, default the queue's), or null. */
  async dequeue(options: DequeueOptions = {}): Promise<Job<Output, Result> | null> {
    const [job] = await this.dequeueMany(1, options);
    return job ?? null;
  }

  /**
   * Claims up to `limit` ready jobs in one statement, highest priority first. Each carries its
   * `leaseToken`; this `Queue` also remembers it, so `complete(job.id)` works from here. With a
   * contract, a job whose payload fails validation goes straight to dead and is not returned.
   */
  async dequeueMany(
    limit: number,
    options: DequeueOptions = {},
  ): Promise<Array<Job<Output, Result>>> {
    assertInteger('limit', limit, 1, 10_000);
    if (options.leaseMs !== undefined) assertInteger('leaseMs', options.leaseMs, 100, maxInt32);
    return dequeueMany<Output, Result>(this.#context, limit, options);
  }

  /**
   * Completes a job claimed by `dequeue`: it moves to the archive with `result`. Pass the
   * `Job`, or its id when this `Queue` dequeued it (else give `leaseToken`). Throws
   * `LeaseLostError`, changing nothing, when the lease no longer holds the job.
   */
  async complete(job: Job | string, options: CompleteOptions<Result> = {}): Promise<void> {
    const { result, leaseToken, tx } = options;
    const { lost } = await this.completeMany(
      [
        {
          job,
          ...(result === undefined ? {} : { result }),
          ...(leaseToken === undefined ? {} : { leaseToken }),
        },
      ],
      tx === undefined ? {} : { tx },
    );
    if (lost.length > 0) throw new LeaseLostError(lost[0]!);
  }

  /** Completes many jobs in one statement; reports which leases were lost instead of throwing. */
  async completeMany(
    items: ReadonlyArray<Job | string | Completion<Result>>,
    options: TxOptions = {},
  ): Promise<CompleteManyResult> {
    return completeMany(this.#context, items, options);
  }

  /**
   * Records a failed attempt: back to pending after the backoff while attempts remain, else
   * dead with `error` kept (anything thrown is stored readably). Throws `LeaseLostError` when
   * the lease no longer holds the job.
   */
  async fail(job: Job | string, error: unknown, options: FailOptions = {}): Promise<FailResult> {
    return failLeased(this.#context, job, error, options);
  }

  /** Extends a claimed job's lease to `leaseMs` from now; returns the new expiry. */
  async extendLease(job: Job | string, leaseMs: number, options: LeaseOptions = {}): Promise<Date> {
    assertInteger('leaseMs', leaseMs, 100, maxInt32);
    const lease = this.#leases.resolve(job, options.leaseToken);
    const extended = await jobsExtendLease(this.pgq, this.name, [lease], leaseMs, options.tx);
    const expiresAt = extended.get(lease.leaseToken);
    if (!expiresAt) throw new LeaseLostError(lease.id);
    return expiresAt;
  }

  /** One job by id, live or archived, or null. */
  async get(id: string): Promise<Job<Output, Result> | null> {
    const row = await jobGet(this.pgq, this.name, assertJobId(id));
    return row ? jobFromRow<Output, Result>(row) : null;
  }

  /** A page of jobs, newest first; filter by `state`, page with `cursor` (or `offset`). */
  async list(options: ListOptions = {}): Promise<Array<Job<Output, Result>>> {
    const { state, limit = 50, offset = 0, cursor } = options;
    if (state !== undefined && !listStates.has(state)) {
      throw new ValidationError(`Unknown state ${JSON.stringify(state)}`);
    }
    assertInteger('limit', limit, 1, 1_000);
    assertInteger('offset', offset, 0, Number.MAX_SAFE_INTEGER);
    const rows = await jobsList(this.pgq, this.name, {
      state: state ?? null,
      beforeId: cursor === undefined ? null : assertJobId(cursor),
      limit,
      offset,
    });
    return rows.map((row) => jobFromRow<Output, Result>(row));
  }

  /** Cancels a live job (pending or active; an active one's handler sees its signal abort). */
  async cancel(id: string, options: TxOptions = {}): Promise<boolean> {
    return jobCancel(this.pgq, this.name, assertJobId(id), options.tx);
  }

  /** Sends a dead or cancelled job back to pending, attempts reset. False when there is none. */
  async retry(id: string, options: TxOptions = {}): Promise<boolean> {
    return jobRetry(this.pgq, this.name, assertJobId(id), options.tx);
  }

  /** Deletes every waiting job (pending and scheduled); returns how many. Active ones run on. */
  async purge(options: TxOptions = {}): Promise<number> {
    return jobsPurge(this.pgq, this.name, options.tx);
  }

  /** Counts by state and the age of the oldest due job. */
  async stats(): Promise<QueueStats> {
    const row = await queueStats(this.pgq, this.name);
    return {
      pending: Number(row.pending),
      scheduled: Number(row.scheduled),
      active: Number(row.active),
      completed: Number(row.completed),
      dead: Number(row.dead),
      cancelled: Number(row.cancelled),
      oldestPendingMs: row.oldest_pending_ms === null ? null : Math.round(row.oldest_pending_ms),
    };
  }

  /**
   * Resolves with the job's result when it completes; rejects with `RemoteError` (the last
   * error) when it is dead, `JobCancelledError` when cancelled, `JobNotFoundError` when there is
   * no such job, `TimeoutError` past `timeoutMs`, and the `signal`'s reason when it aborts
   * (the job itself carries on). LISTEN/NOTIFY, no polling.
   *
   * @example
   * ```ts
   * const result = await emails.waitFor(id, { timeoutMs: 30_000, signal: request.signal });
   * ```
   */
  async waitFor(id: string, options: WaitForOptions = {}): Promise<Result> {
    if (options.timeoutMs !== undefined) assertInteger('timeoutMs', options.timeoutMs, 0, maxInt32);
    const signal = assertSignal(options.signal);
    return (await this.#waiters.wait(assertJobId(id), options.timeoutMs, signal)) as Result;
  }

  /**
   * Deletes up to `limit` archived jobs past the queue's retention; returns how many. Workers
   * call this periodically; call it again while it returns `limit`.
   */
  async cleanArchive(options: { limit?: number } = {}): Promise<number> {
    const limit = options.limit ?? 1_000;
    assertInteger('limit', limit, 1, 100_000);
    return archiveClean(this.pgq, this.name, limit);
  }
}

// Most single enqueues sharing one INSERT.
const maxCoalescedInserts = 500;

const listStates = new Set(['pending', 'scheduled', 'active', 'completed', 'dead', 'cancelled']);
