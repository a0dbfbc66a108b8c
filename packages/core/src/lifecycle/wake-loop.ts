/** Options of `WakeLoop`. */
export interface WakeLoopOptions {
  /**
   * One turn of the loop. Resolves with how many milliseconds until the next turn is wanted
   * (`0`: again at once); with anything else, the loop sleeps until a `wake()` or `intervalMs`.
   */
  turn(): Promise<unknown>;
  /**
   * The longest sleep between two turns (a fallback poll). Without it the loop sleeps until
   * woken, and a turn that threw is not retried. Default: none.
   */
  intervalMs?: number;
  /**
   * First delay before a failed turn runs again, doubled after each failure up to
   * `intervalMs`. Default 250.
   */
  errorDelayMs?: number;
  /**
   * Spreads each error delay over 50–100 % of its value, so processes that lost the same
   * server do not all come back in the same millisecond. Default false.
   */
  jitter?: boolean;
  /**
   * Keeps the process alive while a turn is scheduled. Default false: a loop's timers never
   * do. For a loop that stands in for a socket that would (a reconnect), so a process does
   * not exit during an outage just because nothing else is open.
   */
  ref?: boolean;
  /** A turn threw. The loop goes on (see `errorDelayMs`). */
  onError(error: unknown): void;
}

const defaultErrorDelayMs = 250;
// setTimeout fires at once for anything above this.
const maxTimerMs = 2_147_483_647;

/**
 * The one timer loop every pgq background task runs on (River's `startstop` + a producer's
 * fetch loop): a claim loop, a lease heartbeat, a sweeper, an announcer. It runs `turn()`
 * whenever woken, never two turns at once, and remembers a wake-up that comes during a turn
 * (one more turn follows it, however many came). Wake-ups at a later time coalesce to the
 * earliest. A failed turn is reported and retried with backoff. Its timers are unref'd unless
 * told otherwise (`ref`): it does not keep a process alive, and `stop()` leaves nothing running.
 *
 * @example
 * ```ts
 * const loop = new WakeLoop({
 *   turn: async () => ((await claimJobs()) === batchSize ? 0 : undefined),
 *   intervalMs: 5_000, // poll when no NOTIFY comes
 *   onError: (error) => logger.warn('claim failed', { error }),
 * });
 * loop.start(); // first turn now
 * listener.on('notification', () => loop.wake());
 * await loop.stop(); // waits for the turn in flight
 * ```
 */
export class WakeLoop {
  readonly #options: WakeLoopOptions;
  #active = false;
  #turn: Promise<void> | undefined;
  #again = false;
  #timer: NodeJS.Timeout | undefined;
  #timerAt = Number.POSITIVE_INFINITY;
  #errorDelayMs: number;

  constructor(options: WakeLoopOptions) {
    this.#options = options;
    this.#errorDelayMs = options.errorDelayMs ?? defaultErrorDelayMs;
  }

  /** True between `start()` and `stop()`. */
  get active(): boolean {
    return this.#active;
  }

  /** True while a turn runs. */
  get busy(): boolean {
    return this.#turn !== undefined;
  }

  /**
   * Starts the loop: the first turn runs after `delayMs` (default: at once; `Infinity`: at the
   * first `wake()`).
   */
  start(delayMs = 0): void {
    if (this.#active) return;
    this.#active = true;
    if (delayMs > 0) this.wakeIn(delayMs);
    else this.wake();
  }

  /** Runs a turn now, or once more right after the turn in flight. */
  wake(): void {
    if (!this.#active) return;
    if (this.#turn) {
      this.#again = true;
      return;
    }
    this.#clearTimer();
    this.#turn = this.#run().finally(() => {
      this.#turn = undefined;
      if (this.#again) this.wake();
    });
  }

  /** Runs a turn in `delayMs`, unless one is set to run sooner. */
  wakeIn(delayMs: number): void {
    if (!this.#active || delayMs === Number.POSITIVE_INFINITY) return;
    const delay = Math.min(Math.max(0, Math.ceil(delayMs)), maxTimerMs);
    const at = Date.now() + delay;
    if (at >= this.#timerAt) return;
    this.#clearTimer();
    this.#timerAt = at;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#timerAt = Number.POSITIVE_INFINITY;
      this.wake();
    }, delay);
    if (!this.#options.ref) this.#timer.unref();
  }

  /**
   * Resolves once no turn runs (none is started by this call). For a stop that must let the
   * current work finish before it undoes what the loop set up.
   */
  async settled(): Promise<void> {
    while (this.#turn) await this.#turn;
  }

  /** Stops the loop: no turn starts after this; resolves once the turn in flight has ended. */
  async stop(): Promise<void> {
    this.#active = false;
    this.#again = false;
    this.#clearTimer();
    await this.settled();
  }

  async #run(): Promise<void> {
    const { intervalMs } = this.#options;
    this.#again = false;
    let next: number | undefined;
    try {
      const result = await this.#options.turn();
      if (typeof result === 'number') next = result;
      this.#errorDelayMs = this.#options.errorDelayMs ?? defaultErrorDelayMs;
    } catch (error) {
      this.#options.onError(error);
      if (intervalMs === undefined) return;
      next = this.#options.jitter
        ? this.#errorDelayMs * (0.5 + Math.random() / 2)
        : this.#errorDelayMs;
      this.#errorDelayMs = Math.min(this.#errorDelayMs * 2, intervalMs);
    }
    if (next === 0) this.#again = true;
    else if (next !== undefined) this.wakeIn(Math.min(next, intervalMs ?? next));
    if (intervalMs !== undefined) this.wakeIn(intervalMs);
  }

  #clearTimer(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#timerAt = Number.POSITIVE_INFINITY;
  }
}
