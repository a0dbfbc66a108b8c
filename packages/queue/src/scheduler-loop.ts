import type { Pgq } from '@pgq/core';
import type { SchedulerPassResult } from './scheduler-pass.js';
import { schedulesNextRun } from './sql/schedules-next-run.js';

/**
 * What a `SchedulerLoop` needs from its scheduler.
 *
 * @example
 * ```ts
 * const options: SchedulerLoopOptions = { pgq, channel: pgq.channel('schedules'), pollIntervalMs: 10_000, batchSize: 100, pass, onPass, onError };
 * ```
 */
export interface SchedulerLoopOptions {
  pgq: Pgq;
  /** Where `set()` announces a changed schedule. */
  channel: string;
  pollIntervalMs: number;
  /** Most schedules one pass locks; a full pass is followed by another at once. */
  batchSize: number;
  /** Runs one pass (one transaction), skipping the schedules in `exclude`. */
  pass(exclude: readonly string[]): Promise<SchedulerPassResult>;
  /** Called with each pass's result once committed. */
  onPass(result: SchedulerPassResult): void;
  onError(error: unknown): void;
}

// After finding a due schedule locked by another scheduler (it is firing it right now), look
// again this soon, doubling up to `maxLockedRetryMs`: its commit moves next_run_at on.
const firstLockedRetryMs = 10;
const maxLockedRetryMs = 1_000;
// After a database error, wait this long, doubling up to the poll interval.
const firstErrorRetryMs = 250;

/**
 * The wake-up loop of one scheduler (River's producer, for schedules). Sleeps until the
 * earliest next_run_at on the database clock, then fires what is due; wakes early on a NOTIFY
 * from `set()` and after the listener reconnects, and never sleeps longer than the poll
 * interval. Wake-ups during a pass are remembered, and passes never overlap.
 *
 * @example
 * ```ts
 * const loop = new SchedulerLoop({ pgq, channel, pollIntervalMs: 10_000, batchSize: 100, pass, onPass, onError });
 * await loop.start(); // first pass done
 * await loop.stop();
 * ```
 */
export class SchedulerLoop {
  readonly #options: SchedulerLoopOptions;
  // Schedules that failed to fire, and when (local clock) to try them again.
  readonly #failing = new Map<string, number>();
  #active = false;
  #running: Promise<void> | undefined;
  #again = false;
  #timer: NodeJS.Timeout | undefined;
  #unlisten: (() => Promise<void>) | undefined;
  #lockedRetryMs = firstLockedRetryMs;
  #errorRetryMs = firstErrorRetryMs;
  readonly #wake = (): void => this.wake();

  constructor(options: SchedulerLoopOptions) {
    this.#options = options;
  }

  /** LISTENs for changed schedules and runs a first pass; throws what that pass threw. */
  async start(): Promise<void> {
    const { pgq, channel } = this.#options;
    this.#unlisten = await pgq.listener.listen(channel, this.#wake);
    pgq.listener.on('reconnected', this.#wake);
    this.#active = true;
    try {
      this.#running = this.#cycle();
      await this.#running;
    } catch (error) {
      await this.stop();
      throw error;
    } finally {
      this.#running = undefined;
    }
    if (this.#again) this.wake();
  }

  /** Looks at the schedules now (or right after the pass in flight). */
  wake(): void {
    if (!this.#active) return;
    if (this.#running) {
      this.#again = true;
      return;
    }
    clearTimeout(this.#timer);
    this.#running = this.#cycle()
      .catch((error) => {
        this.#options.onError(error);
        this.#sleep(this.#errorRetryMs);
        this.#errorRetryMs = Math.min(this.#errorRetryMs * 2, this.#options.pollIntervalMs);
      })
      .finally(() => {
        this.#running = undefined;
        if (this.#again) this.wake();
      });
  }

  /** Stops waking; resolves once the pass in flight (if any) has committed or rolled back. */
  async stop(): Promise<void> {
    this.#active = false;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#options.pgq.listener.off('reconnected', this.#wake);
    await this.#unlisten?.();
    this.#unlisten = undefined;
    await this.#running?.catch(() => {});
  }

  // Passes until nothing more is due for this scheduler, then sets the timer for the next tick.
  async #cycle(): Promise<void> {
    const { batchSize, pollIntervalMs } = this.#options;
    let claimed = false;
    for (;;) {
      this.#again = false;
      const result = await this.#options.pass(this.#excluded());
      claimed ||= result.claimed > 0;
      for (const fired of result.fired) this.#failing.delete(fired.schedule);
      for (const { schedule } of result.failures) {
        this.#failing.set(schedule, Date.now() + pollIntervalMs);
      }
      this.#options.onPass(result);
      if (!this.#active || (result.claimed < batchSize && !this.#again)) break;
    }
    if (!this.#active) return;
    this.#errorRetryMs = firstErrorRetryMs;
    const delayMs = await schedulesNextRun(this.#options.pgq, this.#excluded());
    let waitMs: number;
    if (delayMs === null) waitMs = pollIntervalMs;
    else if (delayMs > 0) {
      waitMs = Math.ceil(delayMs);
      this.#lockedRetryMs = firstLockedRetryMs;
    } else if (claimed) {
      // Came due during this pass: go again at once.
      waitMs = 0;
    } else {
      // Due, yet not claimable: another scheduler holds it while firing it.
      waitMs = this.#lockedRetryMs;
      this.#lockedRetryMs = Math.min(this.#lockedRetryMs * 2, maxLockedRetryMs);
    }
    const retryAt = Math.min(...this.#failing.values());
    this.#sleep(Math.min(waitMs, pollIntervalMs, Math.max(0, retryAt - Date.now())));
  }

  #sleep(waitMs: number): void {
    if (!this.#active) return;
    clearTimeout(this.#timer);
    this.#timer = setTimeout(this.#wake, waitMs);
    this.#timer.unref();
  }

  // The failing schedules not yet due for another try.
  #excluded(): string[] {
    const now = Date.now();
    for (const [schedule, retryAt] of this.#failing) {
      if (retryAt <= now) this.#failing.delete(schedule);
    }
    return [...this.#failing.keys()];
  }
}
