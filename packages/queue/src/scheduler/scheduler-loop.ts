import type { Pgq } from '@pgq/core';
import { WakeLoop } from '@pgq/core/internal';
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

/**
 * The wake-up loop of one scheduler (River's producer, for schedules). Sleeps until the
 * earliest next_run_at on the database clock, then fires what is due; wakes early on a NOTIFY
 * from `set()` and after the listener reconnects, and never sleeps longer than the poll
 * interval. It runs on a `WakeLoop`: wake-ups during a pass are remembered, passes never
 * overlap, and a failed pass is retried with backoff.
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
  readonly #loop: WakeLoop;
  // Schedules that failed to fire, and when (local clock) to try them again.
  readonly #failing = new Map<string, number>();
  #unlisten: (() => Promise<void>) | undefined;
  #lockedRetryMs = firstLockedRetryMs;
  // A NOTIFY during the first pass, before the loop runs: the loop starts with a pass.
  #wokenEarly = false;
  #stopped = false;
  readonly #wake = (): void => {
    if (this.#loop.active) this.#loop.wake();
    else this.#wokenEarly = true;
  };

  constructor(options: SchedulerLoopOptions) {
    this.#options = options;
    this.#loop = new WakeLoop({
      turn: () => this.#cycle(),
      intervalMs: options.pollIntervalMs,
      onError: options.onError,
    });
  }

  /** LISTENs for changed schedules and runs a first pass; throws what that pass threw. */
  async start(): Promise<void> {
    const { pgq, channel } = this.#options;
    this.#unlisten = await pgq.listener.listen(channel, this.#wake);
    pgq.listener.on('reconnected', this.#wake);
    let waitMs: number;
    try {
      waitMs = await this.#cycle();
    } catch (error) {
      await this.stop();
      throw error;
    }
    this.#loop.start(this.#wokenEarly ? 0 : waitMs);
  }

  /** Stops waking; resolves once the pass in flight (if any) has committed or rolled back. */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#options.pgq.listener.off('reconnected', this.#wake);
    await this.#loop.stop();
    await this.#unlisten?.();
    this.#unlisten = undefined;
  }

  // Passes until nothing more is due for this scheduler; resolves with how long to sleep.
  async #cycle(): Promise<number> {
    const { batchSize, pollIntervalMs } = this.#options;
    let claimed = false;
    for (;;) {
      const result = await this.#options.pass(this.#excluded());
      claimed ||= result.claimed > 0;
      for (const fired of result.fired) this.#failing.delete(fired.schedule);
      for (const { schedule } of result.failures) {
        this.#failing.set(schedule, Date.now() + pollIntervalMs);
      }
      this.#options.onPass(result);
      if (result.claimed < batchSize || this.#stopped) break;
    }
    if (this.#stopped) return pollIntervalMs;
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
    return Math.min(waitMs, pollIntervalMs, Math.max(0, retryAt - Date.now()));
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
