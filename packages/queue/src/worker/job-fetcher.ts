import type { Pgq } from '@pgq/core';
import { WakeLoop } from '@pgq/core/internal';
import { jobsChannel } from '../channels.js';
import type { JobRow } from '../sql/job-row.js';
import { jobsClaim } from '../sql/jobs-claim.js';

// How soon to look again after a due job was passed over because its row was locked.
const minLockedRetryMs = 10;
const maxLockedRetryMs = 1_000;

/** What a `JobFetcher` needs from its worker. */
export interface JobFetcherOptions {
  pgq: Pgq;
  queue: string;
  workerId: string;
  leaseMs: number;
  batchSize: number;
  pollIntervalMs: number;
  /** How many more jobs the worker can take now. */
  freeSlots(): number;
  /** Called with each claimed batch, in claim order. */
  onJobs(rows: JobRow[]): void;
  /** Jobs a claim found expired on their last attempt and moved to dead. */
  onDead(rows: JobRow[]): void;
  onError(error: unknown): void;
}

/**
 * The claim loop of one worker (River calls it the producer). Claims as many jobs as there are
 * free slots, in one statement, whenever something may be waiting: a NOTIFY for the queue, a
 * freed slot, a timer for the next scheduled job, the listener reconnecting, or the fallback
 * poll. It runs on a `WakeLoop`: wake-ups during a claim are remembered, never lost, and
 * claims never run in parallel.
 */
export class JobFetcher {
  readonly #options: JobFetcherOptions;
  readonly #loop: WakeLoop;
  #unlisten: (() => Promise<void>) | undefined;
  #lockedRetryMs = minLockedRetryMs;
  // The last claim left no due job behind: a freed slot is then no reason to claim again (a
  // NOTIFY, the timer or the poll is).
  #exhausted = false;
  #slotWakeScheduled = false;
  readonly #wake = (): void => this.#loop.wake();

  constructor(options: JobFetcherOptions) {
    this.#options = options;
    this.#loop = new WakeLoop({
      turn: () => this.#claim(),
      intervalMs: options.pollIntervalMs,
      onError: options.onError,
    });
  }

  /** LISTENs for new jobs, then claims at once and whenever woken. */
  async start(): Promise<void> {
    const { pgq, queue } = this.#options;
    this.#unlisten = await pgq.listener.listen(jobsChannel(pgq), (payload) => {
      if (payload === queue) this.#loop.wake();
    });
    pgq.listener.on('reconnected', this.#wake);
    this.#loop.start();
  }

  /**
   * A slot freed up: claims again unless the last claim left no due job. Slots freed
   * in one turn of the event loop (a batch of short jobs settles together) share one claim.
   */
  slotFreed(): void {
    if (this.#exhausted || this.#slotWakeScheduled) return;
    this.#slotWakeScheduled = true;
    setImmediate(() => {
      this.#slotWakeScheduled = false;
      this.#loop.wake();
    });
  }

  /** Claims in `delayMs` (at most a poll interval), unless a claim is set to run sooner. */
  wakeIn(delayMs: number): void {
    this.#loop.wakeIn(Math.max(1, Math.min(delayMs, this.#options.pollIntervalMs)));
  }

  /** Stops claiming; resolves once the claim in flight (if any) has handed over its jobs. */
  async stop(): Promise<void> {
    this.#options.pgq.listener.off('reconnected', this.#wake);
    await this.#loop.stop();
    await this.#unlisten?.();
    this.#unlisten = undefined;
  }

  // One claim; resolves with when to claim next (0: at once, for due jobs left behind).
  async #claim(): Promise<number | undefined> {
    const { pgq, queue, workerId, leaseMs, batchSize } = this.#options;
    const limit = Math.min(this.#options.freeSlots(), batchSize);
    if (limit <= 0) {
      // Woken with no room: whatever woke it is still waiting, so the next freed slot
      // must claim (else a job announced while every slot was busy waits for the poll).
      this.#exhausted = false;
      return undefined;
    }
    const { jobs, dead, nextRunMs, moreDue } = await jobsClaim(
      pgq,
      queue,
      limit,
      leaseMs,
      workerId,
    );
    this.#exhausted = !moreDue;
    if (dead.length > 0) this.#options.onDead(dead);
    // Handed over even when stop() came during the claim: the worker hands them back.
    if (jobs.length > 0) {
      this.#lockedRetryMs = minLockedRetryMs;
      this.#options.onJobs(jobs);
    }
    if (moreDue) return 0;
    if (nextRunMs === null) return undefined;
    if (nextRunMs > 0) {
      // Nothing else due: a timer for the next scheduled job, so it does not wait a poll.
      this.#lockedRetryMs = minLockedRetryMs;
      return Math.max(1, nextRunMs);
    }
    // Due, yet not claimed: SKIP LOCKED passed over a row another transaction held for a
    // moment. No NOTIFY will come for it, so look again soon (backing off, in case something
    // holds it for long).
    const retryMs = this.#lockedRetryMs;
    this.#lockedRetryMs = Math.min(this.#lockedRetryMs * 2, maxLockedRetryMs);
    return retryMs;
  }
}
