import { ValidationError } from '@pgq/core';
import { assertJobId } from '../assert-job-id.js';
import type { Job } from '../job.js';

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
 * the id from the same `Queue`, as the README shows. A job this `Queue` claimed again (its
 * first lease expired and it was rescued) has two tokens here: its id alone is then refused,
 * since it cannot say which claim is acting, and the stale one must not act for the new one.
 * Bounded: past `capacity` the oldest ids go (a job held that long has almost surely lost its
 * lease anyway; passing the `Job` still works).
 */
export class LeaseBook {
  readonly #leases = new Map<string, HeldLease[]>();

  remember(id: string, lease: HeldLease): void {
    const held = this.#leases.get(id) ?? [];
    this.#leases.delete(id);
    this.#leases.set(id, [...held, lease]);
    if (this.#leases.size > capacity) {
      const oldest = this.#leases.keys().next().value;
      if (oldest !== undefined) this.#leases.delete(oldest);
    }
  }

  /** The claim under `leaseToken` is over (completed, failed or lost). */
  forget(id: string, leaseToken: string): void {
    const held = this.#leases.get(id)?.filter((lease) => lease.leaseToken !== leaseToken);
    if (held?.length) this.#leases.set(id, held);
    else this.#leases.delete(id);
  }

  /**
   * The lease to act under: an explicit `leaseToken`, else the `Job`'s, else the one this
   * book remembers for the id. Throws `ValidationError` when there is none, or more than one:
   * pgq never completes or fails a job without fencing it.
   */
  resolve(job: Job | string, leaseToken: string | undefined): ResolvedLease {
    const id = assertJobId(typeof job === 'string' ? job : job?.id);
    const held = this.#leases.get(id) ?? [];
    if (typeof job === 'string' && leaseToken === undefined && held.length > 1) {
      throw new ValidationError(
        `Job ${id} was claimed more than once through this Queue: pass the Job from dequeue(), or { leaseToken }`,
      );
    }
    const token = leaseToken ?? (typeof job === 'string' ? held[0]?.leaseToken : job.leaseToken);
    if (!token) {
      throw new ValidationError(
        `No lease token for job ${id}: pass the Job from dequeue(), or { leaseToken }`,
      );
    }
    if (typeof job !== 'string' && job.leaseToken === token) {
      return { id, leaseToken: token, attempts: job.attempts };
    }
    const known = held.find((lease) => lease.leaseToken === token);
    return known ? { id, leaseToken: token, attempts: known.attempts } : { id, leaseToken: token };
  }
}
