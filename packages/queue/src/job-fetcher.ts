import type { Pgq } from '@pgq/core';
import { jobsChannel } from './channels.js';
import type { JobRow } from './sql/job-row.js';
import { jobsClaim } from './sql/jobs-claim.js';

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
 * poll. Wake-ups during a claim are remembered, not lost, and never run claims in parallel.
 */
export class JobFetcher {
  readonly #options: JobFetcherOptions;
  #active = false;
  #fetching: Promise<void> | undefined;
  #again = false;
  #unlisten: (() => Promise<void>) | undefined;
  #pollTimer: NodeJS.Timeout | undefined;
  #wakeTimer: NodeJS.Timeout | undefined;
  #wakeAt = Number.POSITIVE_INFINITY;
  #lockedRetryMs = minLockedRetryMs;
  // The last claim left no due job behind: a freed slot is then no reason to claim again (a
  // NOTIFY, the timer or the poll is).
  #exhausted = false;
  #slotWakeScheduled = false;
  readonly #wake = (): void => this.wake();

  constructor(options: JobFetcherOptions) {
    this.#options = options;
  }

  /** LISTENs for new jobs, starts the fallback poll and claims at once. */
  async start(): Promise<void> {
    const { pgq, queue, pollIntervalMs } = this.#options;
    this.#unlisten = await pgq.listener.listen(jobsChannel(pgq), (payload) => {
      if (payload === queue) this.wake();
    });
    pgq.listener.on('reconnected', this.#wake);
    this.#active = true;
    this.#pollTimer = setInterval(this.#wake, pollIntervalMs);
    this.#pollTimer.unref();
    this.wake();
  }

  /** Claims now if there is room (or right after the claim in flight). */
  wake(): void {
    if (!this.#active) return;
    if (this.#fetching) {
      this.#again = true;
      return;
    }
    this.#fetching = this.#fetch().finally(() => {
      this.#fetching = undefined;
    });
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
      this.wake();
    });
  }

  /** Wakes in `delayMs` unless an earlier wake-up is set already (at most a poll interval). */
  wakeIn(delayMs: number): void {
    if (!this.#active) return;
    const delay = Math.max(1, Math.min(Math.ceil(delayMs), this.#options.pollIntervalMs));
    const at = Date.now() + delay;
    if (at >= this.#wakeAt) return;
    clearTimeout(this.#wakeTimer);
    this.#wakeAt = at;
    this.#wakeTimer = setTimeout(() => {
      this.#wakeAt = Number.POSITIVE_INFINITY;
      this.wake();
    }, delay);
    this.#wakeTimer.unref();
  }

  /** Stops claiming; resolves once the claim in flight (if any) has handed over its jobs. */
  async stop(): Promise<void> {
    this.#active = false;
    clearInterval(this.#pollTimer);
    clearTimeout(this.#wakeTimer);
    this.#wakeAt = Number.POSITIVE_INFINITY;
    this.#options.pgq.listener.off('reconnected', this.#wake);
    await this.#unlisten?.();
    this.#unlisten = undefined;
    await this.#fetching;
  }

  async #fetch(): Promise<void> {
    const { pgq, queue, workerId, leaseMs, batchSize } = this.#options;
    try {
      for (;;) {
        this.#again = false;
        const limit = Math.min(this.#options.freeSlots(), batchSize);
        if (!this.#active) return;
        if (limit <= 0) {
          // Woken with no room: whatever woke it is still waiting, so the next freed slot
          // must claim (else a job announced while every slot was busy waits for the poll).
          this.#exhausted = false;
          return;
        }
        const {
          jobs: rows,
          dead,
          nextRunMs: delayMs,
          moreDue,
        } = await jobsClaim(pgq, queue, limit, leaseMs, workerId);
        this.#exhausted = !moreDue;
        if (dead.length > 0) this.#options.onDead(dead);
        if (rows.length > 0) {
          this.#lockedRetryMs = minLockedRetryMs;
          this.#options.onJobs(rows);
        }
        if (delayMs !== null && delayMs > 0) {
          // Nothing else due: a timer for the next scheduled job, so it does not wait a poll.
          this.#lockedRetryMs = minLockedRetryMs;
          this.wakeIn(delayMs);
        } else if (delayMs !== null) {
          // Due, yet not claimed: SKIP LOCKED passed over a row another transaction held
          // for a moment. No NOTIFY will come for it, so look again soon (backing off, in
          // case something holds it for long).
          this.wakeIn(this.#lockedRetryMs);
          this.#lockedRetryMs = Math.min(this.#lockedRetryMs * 2, maxLockedRetryMs);
        }
        if (!moreDue && !this.#again) return;
      }
    } catch (error) {
      // The fallback poll tries again; a database outage must not spin this loop.
      this.#options.onError(error);
    }
  }
}
