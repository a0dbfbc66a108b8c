import type { Pgq } from '@pgq/core';
import { entriesSweep } from './sql/entries-sweep.js';

/** Options of `Sweeper`. */
export interface SweeperOptions {
  /** Pause between the end of one sweep and the start of the next. */
  intervalMs: number;
  /** Most rows one DELETE removes; a sweep repeats batches until one comes back short. */
  batchSize: number;
  /** Called after every sweep that completed, with the rows it removed. */
  onSwept: (count: number) => void;
  /** Called when a sweep failed; the next one is still scheduled. */
  onError: (error: Error) => void;
}

/**
 * Deletes expired cache rows (of every namespace in the schema) in bounded batches, every
 * `intervalMs`. Sweeps never overlap within one sweeper; sweepers in other processes take
 * disjoint rows (SKIP LOCKED), so running one per process is safe and cheap. Its timer is
 * unref'd: it never keeps a process alive, and `stop()` leaves nothing running.
 *
 * @example
 * ```ts
 * const sweeper = new Sweeper(pgq, { intervalMs: 60_000, batchSize: 1000, onSwept, onError });
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

  /** Sweeps now, then every `intervalMs`. Does nothing when already running. */
  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#schedule(0);
  }

  /** Stops sweeping; resolves once a sweep in progress has finished its current batch. */
  async stop(): Promise<void> {
    this.#running = false;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#current;
  }

  /** One sweep: batches until a batch removes fewer than `batchSize` rows. */
  sweep(): Promise<number> {
    return this.#sweepUntil(() => false);
  }

  async #sweepUntil(stopped: () => boolean): Promise<number> {
    let total = 0;
    for (;;) {
      const count = await entriesSweep(this.#pgq, this.#options.batchSize);
      total += count;
      if (count < this.#options.batchSize || stopped()) return total;
    }
  }

  #schedule(delayMs: number): void {
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      // An 'error' listener that throws must not become an unhandled rejection.
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
    // The app closed pgq without stopping the cache: stop quietly rather than fail forever.
    if (this.#pgq.closed) {
      this.#running = false;
      return;
    }
    try {
      // A stop() in the middle of a long sweep ends it after the current batch.
      this.#options.onSwept(await this.#sweepUntil(() => !this.#running));
    } catch (error) {
      if (this.#pgq.closed) {
        this.#running = false;
        return;
      }
      this.#options.onError(error instanceof Error ? error : new Error(String(error)));
    }
  }
}
