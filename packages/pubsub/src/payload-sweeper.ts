import type { Pgq } from '@pgq/core';
import { WakeLoop } from '@pgq/core/internal';
import { deleteExpiredPayloads } from './sql/payloads-delete-expired.js';
import { nextPayloadExpiry } from './sql/payloads-next-expiry.js';

/** Options of the `PayloadSweeper`. */
export interface PayloadSweeperOptions {
  /** How long a stored body is kept for its subscribers to fetch. */
  retentionMs: number;
  /** Rows deleted per statement. */
  batchSize: number;
  /** Called after a background sweep that deleted rows. */
  onSwept: (deleted: number) => void;
  onError: (error: unknown) => void;
}

/**
 * Deletes stored message bodies once their retention has passed. Readers never delete (many
 * subscribers read one row), so a publisher that stored a body schedules a sweep for when
 * it expires; the sweep deletes every expired row, whoever stored it, in bounded batches,
 * then schedules itself again while rows remain. Timers are unref'd and `stop()` ends them.
 *
 * @example
 * ```ts
 * const sweeper = new PayloadSweeper(pgq, { retentionMs: 60_000, batchSize: 1_000, onSwept, onError });
 * sweeper.stored(); // after publishing a large message
 * await sweeper.stop();
 * ```
 */
export class PayloadSweeper {
  readonly #pgq: Pgq;
  readonly #options: PayloadSweeperOptions;
  readonly #loop: WakeLoop;
  // Not more often than a quarter of the retention: a steady stream of large messages then
  // costs a few sweeps per retention period, not one per message.
  readonly #floorMs: number;

  constructor(pgq: Pgq, options: PayloadSweeperOptions) {
    this.#pgq = pgq;
    this.#options = options;
    this.#floorMs = Math.min(60_000, Math.max(100, options.retentionMs / 4));
    this.#loop = new WakeLoop({ turn: () => this.#backgroundSweep(), onError: options.onError });
    // No sweep until a body is stored.
    this.#loop.start(Number.POSITIVE_INFINITY);
  }

  /** Notes that a body was stored: makes sure a sweep runs once it has expired. */
  stored(): void {
    this.#loop.wakeIn(this.#delay(this.#options.retentionMs));
  }

  /** Deletes every expired body now, in bounded batches; returns how many. */
  async sweep(): Promise<number> {
    let total = 0;
    for (;;) {
      const deleted = await deleteExpiredPayloads(
        this.#pgq,
        this.#options.retentionMs,
        this.#options.batchSize,
      );
      total += deleted;
      if (deleted < this.#options.batchSize || !this.#loop.active) return total;
    }
  }

  /** Cancels the timer and waits for a running sweep. */
  async stop(): Promise<void> {
    await this.#loop.stop();
  }

  #delay(waitMs: number): number {
    return Math.max(this.#floorMs, waitMs) + 10;
  }

  // Sweeps, then resolves with when the next stored body expires (nothing: none is left).
  async #backgroundSweep(): Promise<number | undefined> {
    try {
      const deleted = await this.sweep();
      if (deleted > 0) this.#options.onSwept(deleted);
      const waitMs = await nextPayloadExpiry(this.#pgq, this.#options.retentionMs);
      return waitMs === undefined ? undefined : this.#delay(waitMs);
    } catch (error) {
      if (this.#pgq.closed) return undefined;
      this.#options.onError(error);
      return this.#delay(this.#options.retentionMs);
    }
  }
}
