import { LeaseLostError } from '@pgq/core';
import type { RunningJob } from './job-runner.js';
import { type JobRow, jobFromRow } from './sql/job-row.js';

/** A job's id and the lease token of its current claim. */
export interface Lease {
  id: string;
  leaseToken: string;
}

/**
 * The jobs one worker is running: what the heartbeat renews, what a lost lease aborts, what
 * `stop()` waits for and, past its timeout, hands back.
 */
export class RunningJobs {
  readonly #jobs = new Map<string, RunningJob>();
  readonly #idle = new Set<() => void>();

  get size(): number {
    return this.#jobs.size;
  }

  /** Starts tracking a freshly claimed job. */
  add(row: JobRow): RunningJob {
    const running: RunningJob = {
      job: jobFromRow(row),
      leaseToken: row.lease_token!,
      controller: new AbortController(),
      settling: false,
      released: false,
    };
    this.#jobs.set(row.id, running);
    return running;
  }

  /** Stops tracking a job whose outcome is written (or abandoned). */
  finish(id: string): void {
    this.#jobs.delete(id);
    if (this.#jobs.size === 0) for (const resolve of this.#idle) resolve();
  }

  /** The leases to renew: every job not handed back. */
  leases(): Lease[] {
    return toLeases([...this.#jobs.values()].filter((running) => !running.released));
  }

  /** Aborts the handlers of jobs whose lease was lost while they ran. */
  abortLost(ids: string[]): void {
    for (const id of ids) {
      const running = this.#jobs.get(id);
      if (running && !running.settling && !running.released) {
        running.controller.abort(new LeaseLostError(id));
      }
    }
  }

  /** Resolves true once nothing runs, or false after `timeoutMs`. */
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
