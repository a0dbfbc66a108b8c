import type { Pgq } from './pgq.js';

/** Options of `Sweeper`. */
export interface SweeperOptions {
  /** Deletes at most `batchSize` rows in one statement; resolves with how many went. */
  deleteBatch: (batchSize: number) => Promise<number>;
  /** Most rows one batch removes; a sweep repeats batches until one comes back short. */
  batchSize: number;
  /** Pause between the end of one sweep and the start of the next. */
  intervalMs: number;
  /** Before the first sweep (default 0: at once). */
  firstDelayMs?: number;
  /** Called after every background sweep that completed, with the rows it removed. */
  onSwept?: (count: number) => void;
  /** Called when a background sweep failed; the next one is still scheduled. */
  onError: (error: Error) => void;
}

/**
 * Deletes rows past their time in bounded batches, in the background, every `intervalMs`:
 * the cache's expired entries, RPC replies nobody read. Sweeps never overlap within one
 * sweeper; `deleteBatch` takes its rows with SKIP LOCKED, so sweepers in other processes take
 * disjoint rows and one per process is safe and cheap. Its timer is unref'd: it never keeps
 * a process alive, and `stop()` leaves nothing running. It stops quietly when the app closes
 * `pgq` without stopping it.
 *
 * @example
 * ```ts
 * const sweeper = new Sweeper(pgq, {
 *   deleteBatch: (limit) => deleteExpired(pgq, limit),
 *   batchSize: 1_000,
 *   intervalMs: 60_000,
 *   onError: (error) => console.error(error),
 * });
 * sweeper.start();
 * await sweeper.stop();
 * ```
 */
export class Sweeper {
  readonly #pgq: Pgq;
  readonly #options: SweeperOptions;
  #timer: NodeJS.Timeout | undefined;
  #current: Promise<void> | undefined;
  #running = false;

  constructor(pgq: Pgq, options: SweeperOptions) {
    this.#pgq = pgq;
    this.#options = options;
  }

  /** True between `start()` and `stop()`. */
  get running(): boolean {
    return this.#running;
  }

  /** Sweeps after `firstDelayMs`, then every `intervalMs`. Does nothing when already running. */
  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#schedule(this.#options.firstDelayMs ?? 0);
  }

  /** Stops sweeping; resolves once a sweep in progress has finished its current batch. */
  async stop(): Promise<void> {
    this.#running = false;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#current;
  }

  /** Sweeps now: batches until one removes fewer than `batchSize` rows; returns how many. */
  sweep(): Promise<number> {
    return this.#sweepUntil(() => false);
  }

  async #sweepUntil(stopped: () => boolean): Promise<number> {
    const { deleteBatch, batchSize } = this.#options;
    let total = 0;
    for (;;) {
      const count = await deleteBatch(batchSize);
      total += count;
      if (count < batchSize || stopped()) return total;
    }
  }

  #schedule(delayMs: number): void {
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      // A listener that throws must not become an unhandled rejection.
      this.#current = this.#tick()
        .catch(() => {})
        .finally(() => {
          this.#current = undefined;
          // A stop() then start() during this sweep has scheduled the next one already.
          if (this.#running && !this.#timer) this.#schedule(this.#options.intervalMs);
        });
    }, delayMs);
    this.#timer.unref();
  }

  async #tick(): Promise<void> {
    if (this.#pgq.closed) {
      this.#running = false;
      return;
    }
    try {
      // A stop() in the middle of a long sweep ends it after the current batch. (Not inside
      // `onSwept?.(…)`: without a listener, an optional call never evaluates its argument.)
      const count = await this.#sweepUntil(() => !this.#running);
      this.#options.onSwept?.(count);
    } catch (error) {
      if (this.#pgq.closed) {
        this.#running = false;
        return;
      }
      this.#options.onError(error instanceof Error ? error : new Error(String(error)));
    }
  }
}
