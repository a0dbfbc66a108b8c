import { ValidationError } from '@pgq/core';
import { assertJobId } from './assert-job-id.js';
import type { Job } from './job.js';

/** What a queue remembers about a job it claimed with `dequeue`. */
export interface HeldLease {
  leaseToken: string;
  attempts: number;
}

/** The lease a by-hand `complete`, `fail` or `extendLease` acts under. */
export interface ResolvedLease {
  id: string;
  leaseToken: string;
  /** The attempt number, when known here (for the backoff). */
  attempts?: number;
}

const capacity = 10_000;

/**
 * The lease tokens of the jobs a `Queue` claimed by hand, so `complete(id)` works with just
 * the id from the same `Queue`, as the README shows. Bounded: past `capacity` the oldest
 * entries go (a job held that long has almost surely lost its lease anyway; passing the `Job`
 * still works).
 */
export class LeaseBook {
  readonly #leases = new Map<string, HeldLease>();

  remember(id: string, lease: HeldLease): void {
    this.#leases.delete(id);
    this.#leases.set(id, lease);
    if (this.#leases.size > capacity) {
      const oldest = this.#leases.keys().next().value;
      if (oldest !== undefined) this.#leases.delete(oldest);
    }
  }

  forget(id: string): void {
    this.#leases.delete(id);
  }

  /**
   * The lease to act under: an explicit `leaseToken`, else the `Job`'s, else the one this
   * book remembers for the id. Throws `ValidationError` when there is none: pgq never
   * completes or fails a job without fencing it.
   */
  resolve(job: Job | string, leaseToken: string | undefined): ResolvedLease {
    const id = assertJobId(typeof job === 'string' ? job : job?.id);
    const held = this.#leases.get(id);
    const token = leaseToken ?? (typeof job === 'string' ? held?.leaseToken : job.leaseToken);
    if (!token) {
      throw new ValidationError(
        `No lease token for job ${id}: pass the Job from dequeue(), or { leaseToken }`,
      );
    }
    if (typeof job !== 'string' && job.leaseToken === token) {
      return { id, leaseToken: token, attempts: job.attempts };
    }
    if (held?.leaseToken === token) return { id, leaseToken: token, attempts: held.attempts };
    return { id, leaseToken: token };
  }
}
