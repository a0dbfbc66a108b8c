import type { Pgq } from '@pgq/core';
import { repliesSweep } from './sql/replies-sweep.js';

/** Options of `ReplySweeper`. */
export interface ReplySweeperOptions {
  /** How long an unread reply is kept. */
  retentionMs: number;
  /** Pause between the end of one sweep and the start of the next. */
  intervalMs: number;
  /** Most rows one DELETE removes; a sweep repeats batches until one comes back short. */
  batchSize: number;
  /** Called when a sweep failed; the next one is still scheduled. */
  onError: (error: Error) => void;
}

/**
 * Deletes replies nobody read within the retention (their caller timed out and went away,
 * or crashed) in bounded batches, every `intervalMs`. Clients and servers each run one:
 * sweepers in other processes take disjoint rows (SKIP LOCKED), so that is safe and cheap.
 * Its timer is unref'd, and `stop()` leaves nothing running.
 *
 * @example
 * ```ts
 * const sweeper = new ReplySweeper(pgq, { retentionMs: 300_000, intervalMs: 60_000, batchSize: 1_000, onError });
 * sweeper.start();
 * await sweeper.stop();
 * ```
 */
export class ReplySweeper {
  readonly #pgq: Pgq;
  readonly #options: ReplySweeperOptions;
  #timer: NodeJS.Timeout | undefined;
  #current: Promise<void> | undefined;
  #running = false;

  constructor(pgq: Pgq, options: ReplySweeperOptions) {
    this.#pgq = pgq;
    this.#options = options;
  }

  /** Sweeps after `intervalMs`, then every `intervalMs`. Does nothing when already running. */
  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#schedule();
  }

  /** Stops sweeping; resolves once a sweep in progress has finished its current batch. */
  async stop(): Promise<void> {
    this.#running = false;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#current;
  }

  /** Deletes every reply past the retention now, in bounded batches; returns how many. */
  async sweep(): Promise<number> {
    let total = 0;
    for (;;) {
      const count = await repliesSweep(
        this.#pgq,
        this.#options.retentionMs,
        this.#options.batchSize,
      );
      total += count;
      if (count < this.#options.batchSize) return total;
    }
  }

  #schedule(): void {
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#current = this.#tick().finally(() => {
        this.#current = undefined;
        if (this.#running && !this.#timer) this.#schedule();
      });
    }, this.#options.intervalMs);
    this.#timer.unref();
  }

  async #tick(): Promise<void> {
    if (this.#pgq.closed) {
      this.#running = false;
      return;
    }
    try {
      await this.sweep();
    } catch (error) {
      if (this.#pgq.closed) return;
      this.#options.onError(error instanceof Error ? error : new Error(String(error)));
    }
  }
}
