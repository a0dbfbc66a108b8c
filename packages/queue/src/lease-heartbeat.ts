import type { Pgq } from '@pgq/core';
import { jobsExtendLease } from './sql/jobs-extend-lease.js';

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
  #timer: NodeJS.Timeout | undefined;
  #beating: Promise<void> | undefined;

  constructor(options: LeaseHeartbeatOptions) {
    this.#options = options;
  }

  start(): void {
    this.#timer = setInterval(() => {
      this.#beating ??= this.#beat().finally(() => {
        this.#beating = undefined;
      });
    }, this.#options.intervalMs);
    this.#timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    await this.#beating;
  }

  async #beat(): Promise<void> {
    const { pgq, queue, leaseMs } = this.#options;
    const leases = this.#options.leases();
    if (leases.length === 0) return;
    try {
      const extended = await jobsExtendLease(pgq, queue, leases, leaseMs);
      const lost = leases
        .filter((lease) => !extended.has(lease.leaseToken))
        .map((lease) => lease.leaseToken);
      if (lost.length > 0) this.#options.onLost(lost);
    } catch (error) {
      this.#options.onError(error);
    }
  }
}
