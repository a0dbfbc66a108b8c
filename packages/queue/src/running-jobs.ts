import { LeaseLostError } from '@pgq/core';
import type { RunningJob } from './job-runner.js';
import { type JobRow, jobFromRow } from './sql/job-row.js';

/** A job's id and the lease token of its current claim. */
export interface Lease {
  id: string;
  leaseToken: string;
}

/**
 * The claims one worker holds, by lease token (a job rescued and claimed again by the same
 * worker is two claims), from claim until their outcome is written: those
 * prefetched and waiting for a slot, those whose handler runs (each takes a slot), and those
 * whose outcome is being written (no slot: the batched write must not hold up the next job).
 * What the heartbeat renews, what a lost lease aborts, what `stop()` waits for and, past its
 * timeout, hands back.
 */
export class RunningJobs {
  readonly #jobs = new Map<string, RunningJob>();
  readonly #waiting: RunningJob[] = [];
  readonly #idle = new Set<() => void>();
  #busy = 0;

  /** Jobs held: waiting, running or being written. */
  get size(): number {
    return this.#jobs.size;
  }

  /** Jobs taking a slot: claimed and not yet settled, waiting or running. */
  get occupied(): number {
    return this.#waiting.length + this.#busy;
  }

  /** Handlers running now. */
  get busy(): number {
    return this.#busy;
  }

  /** Starts tracking freshly claimed jobs: they wait for `next()`. */
  add(rows: JobRow[]): void {
    for (const row of rows) {
      const running: RunningJob = {
        job: jobFromRow(row),
        leaseToken: row.lease_token!,
        controller: new AbortController(),
        settling: false,
        released: false,
        busy: false,
      };
      this.#jobs.set(running.leaseToken, running);
      this.#waiting.push(running);
    }
  }

  /** The next waiting job, now counted as running; undefined when none waits. */
  next(): RunningJob | undefined {
    const running = this.#waiting.shift();
    if (running) {
      running.busy = true;
      this.#busy++;
    }
    return running;
  }

  /** A running job's handler is done: its slot is free, its outcome may still be in writing. */
  settled(running: RunningJob): void {
    if (!running.busy) return;
    running.busy = false;
    this.#busy--;
  }

  /** Stops tracking a job whose outcome is written (or abandoned). */
  finish(running: RunningJob): void {
    this.#jobs.delete(running.leaseToken);
    if (this.#jobs.size === 0) for (const resolve of this.#idle) resolve();
  }

  /** The leases to renew: every job not handed back. */
  leases(): Lease[] {
    return toLeases([...this.#jobs.values()].filter((running) => !running.released));
  }

  /** Aborts the handlers of jobs whose lease was lost; a waiting one is dropped unrun. */
  abortLost(leaseTokens: string[]): void {
    for (const leaseToken of leaseTokens) {
      const running = this.#jobs.get(leaseToken);
      if (!running || running.settling || running.released) continue;
      const waiting = this.#waiting.indexOf(running);
      if (waiting >= 0) {
        this.#waiting.splice(waiting, 1);
        this.finish(running);
      } else {
        running.controller.abort(new LeaseLostError(running.job.id));
      }
    }
  }

  /** Takes every waiting job out of line (the worker is stopping): returns their leases. */
  takeWaiting(): Lease[] {
    const waiting = this.#waiting.splice(0);
    for (const running of waiting) this.finish(running);
    return toLeases(waiting);
  }

  /** Resolves true once nothing is held, or false after `timeoutMs`. */
  waitForIdle(timeoutMs: number): Promise<boolean> {
    if (this.#jobs.size === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const done = (idle: boolean) => {
        clearTimeout(timer);
        this.#idle.delete(onIdle);
        resolve(idle);
      };
      const onIdle = () => done(true);
      const timer = setTimeout(() => done(false), timeoutMs);
      this.#idle.add(onIdle);
    });
  }

  /**
   * Gives up on the handlers still running (not yet writing their outcome): aborts their
   * signals with `reason` and marks them so nothing they do later is recorded. Returns their
   * leases, to hand the jobs back.
   */
  abandon(reason: Error): Lease[] {
    const stragglers = [...this.#jobs.values()].filter((running) => !running.settling);
    for (const running of stragglers) {
      running.released = true;
      running.controller.abort(reason);
    }
    return toLeases(stragglers);
  }
}

function toLeases(jobs: RunningJob[]): Lease[] {
  return jobs.map((running) => ({ id: running.job.id, leaseToken: running.leaseToken }));
}
