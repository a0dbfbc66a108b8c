import { WakeLoop } from './lifecycle/wake-loop.js';
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
  readonly #loop: WakeLoop;

  constructor(pgq: Pgq, options: SweeperOptions) {
    this.#pgq = pgq;
    this.#options = options;
    this.#loop = new WakeLoop({
      turn: () => this.#tick(),
      intervalMs: options.intervalMs,
      errorDelayMs: options.intervalMs,
      onError: (error) => {
        // A listener that throws must not stop the sweeps.
        try {
          options.onError(error instanceof Error ? error : new Error(String(error)));
        } catch {}
      },
    });
  }

  /** True between `start()` and `stop()`. */
  get running(): boolean {
    return this.#loop.active;
  }

  /** Sweeps after `firstDelayMs`, then every `intervalMs`. Does nothing when already running. */
  start(): void {
    this.#loop.start(this.#options.firstDelayMs ?? 0);
  }

  /** Stops sweeping; resolves once a sweep in progress has finished its current batch. */
  async stop(): Promise<void> {
    await this.#loop.stop();
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

  async #tick(): Promise<void> {
    if (this.#pgq.closed) {
      void this.#loop.stop();
      return;
    }
    let count: number;
    try {
      // A stop() in the middle of a long sweep ends it after the current batch.
      count = await this.#sweepUntil(() => !this.#loop.active);
    } catch (error) {
      if (this.#pgq.closed) {
        void this.#loop.stop();
        return;
      }
      throw error;
    }
    try {
      this.#options.onSwept?.(count);
    } catch {}
  }
}
