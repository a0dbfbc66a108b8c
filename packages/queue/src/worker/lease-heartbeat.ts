import type { Pgq } from '@pgq/core';
import { WakeLoop } from '@pgq/core/internal';
import { jobsExtendLease } from '../sql/jobs-extend-lease.js';

/** What a `LeaseHeartbeat` needs from its worker. */
export interface LeaseHeartbeatOptions {
  pgq: Pgq;
  queue: string;
  leaseMs: number;
  intervalMs: number;
  /** The leases of the jobs running now. */
  leases(): Array<{ id: string; leaseToken: string }>;
  /** Called with the lease tokens that no longer held: their handlers should stop. */
  onLost(leaseTokens: string[]): void;
  onError(error: unknown): void;
}

/**
 * Renews the leases of every running job of a worker in one statement per beat, so a long
 * handler keeps its job and a crashed worker's jobs come back one lease later.
 */
export class LeaseHeartbeat {
  readonly #options: LeaseHeartbeatOptions;
  readonly #loop: WakeLoop;

  constructor(options: LeaseHeartbeatOptions) {
    this.#options = options;
    this.#loop = new WakeLoop({
      turn: () => this.#beat(),
      intervalMs: options.intervalMs,
      // A failed beat is retried at the next one: sooner would only add load to a database
      // that is failing.
      errorDelayMs: options.intervalMs,
      onError: options.onError,
    });
  }

  /** Beats every `intervalMs`, the first one interval from now. */
  start(): void {
    this.#loop.start(this.#options.intervalMs);
  }

  async stop(): Promise<void> {
    await this.#loop.stop();
  }

  async #beat(): Promise<void> {
    const { pgq, queue, leaseMs } = this.#options;
    const leases = this.#options.leases();
    if (leases.length === 0) return;
    const extended = await jobsExtendLease(pgq, queue, leases, leaseMs);
    const lost = leases
      .filter((lease) => !extended.has(lease.leaseToken))
      .map((lease) => lease.leaseToken);
    if (lost.length > 0) this.#options.onLost(lost);
  }
}
