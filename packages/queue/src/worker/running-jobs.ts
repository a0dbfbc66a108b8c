import { LeaseLostError } from '@pgq/core';
import { watchAbort } from '@pgq/core/internal';
import { type JobRow, jobFromRow } from '../sql/job-row.js';
import type { RunningJob, RunningJobState } from './running-job.js';

/** A job's id and the lease token of its current claim. */
export interface Lease {
  id: string;
  leaseToken: string;
}

type MutableRunningJob = { -readonly [Key in keyof RunningJob]: RunningJob[Key] };

/**
 * The claims one worker holds, by lease token (a job rescued and claimed again by the same
 * worker is two claims), from claim until their outcome is written, and the one owner of
 * their state (see `RunningJobState`). What the heartbeat renews, what a lost lease aborts,
 * what `stop()` waits for and, past its timeout, hands back.
 */
export class RunningJobs {
  readonly #jobs = new Map<string, MutableRunningJob>();
  readonly #waiting: MutableRunningJob[] = [];
  // Jobs holding a slot: running or committing, and released ones until their handler returns.
  readonly #slots = new Set<RunningJob>();
  readonly #idle = new Set<() => void>();

  /** Jobs held: waiting, running or being written. */
  get size(): number {
    return this.#jobs.size;
  }

  /** Jobs taking a slot or waiting for one. */
  get occupied(): number {
    return this.#waiting.length + this.#slots.size;
  }

  /** Handlers holding a slot now. */
  get busy(): number {
    return this.#slots.size;
  }

  /** Starts tracking freshly claimed jobs: they wait for `next()`. */
  add(rows: JobRow[]): void {
    for (const row of rows) {
      const running: MutableRunningJob = {
        job: jobFromRow(row),
        leaseToken: row.lease_token!,
        controller: new AbortController(),
        state: 'waiting',
      };
      this.#jobs.set(running.leaseToken, running);
      this.#waiting.push(running);
    }
  }

  /** The next waiting job, now `running` in a slot; undefined when none waits. */
  next(): RunningJob | undefined {
    const running = this.#waiting.shift();
    if (running) {
      running.state = 'running';
      this.#slots.add(running);
    }
    return running;
  }

  /**
   * A transactional handler returned: `running` → `committing`. False when the job was
   * released meanwhile: its transaction must roll back.
   */
  commit(running: RunningJob): boolean {
    return this.#move(running, ['running'], 'committing');
  }

  /**
   * The handler is done: frees its slot and moves `running`/`committing` → `settling`. True
   * when its outcome is to be written; false when it was released (nothing is recorded). Safe
   * to call again: only the first call frees the slot.
   */
  settle(running: RunningJob): boolean {
    this.#slots.delete(running);
    this.#move(running, ['running', 'committing'], 'settling');
    return running.state === 'settling';
  }

  /** Stops tracking a job whose outcome is written (or abandoned). */
  finish(running: RunningJob): void {
    this.#slots.delete(running);
    this.#jobs.delete(running.leaseToken);
    if (this.#jobs.size === 0) for (const resolve of this.#idle) resolve();
  }

  /** The leases to renew: every job not handed back. */
  leases(): Lease[] {
    return toLeases([...this.#jobs.values()].filter((running) => running.state !== 'released'));
  }

  /** Aborts the handlers of jobs whose lease was lost; a waiting one is dropped unrun. */
  abortLost(leaseTokens: string[]): void {
    for (const leaseToken of leaseTokens) {
      const running = this.#jobs.get(leaseToken);
      if (running?.state === 'waiting') {
        this.#waiting.splice(this.#waiting.indexOf(running), 1);
        this.finish(running);
      } else if (running?.state === 'running') {
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

  /** Resolves true once nothing is held, or false after `timeoutMs` or once `signal` aborts. */
  waitForIdle(timeoutMs: number, signal?: AbortSignal): Promise<boolean> {
    if (this.#jobs.size === 0) return Promise.resolve(true);
    if (signal?.aborted) return Promise.resolve(false);
    return new Promise((resolve) => {
      const done = (idle: boolean) => {
        clearTimeout(timer);
        unwatch();
        this.#idle.delete(onIdle);
        resolve(idle);
      };
      const onIdle = () => done(true);
      const timer = setTimeout(() => done(false), timeoutMs);
      const unwatch = watchAbort(signal, () => done(false));
      this.#idle.add(onIdle);
    });
  }

  /**
   * Gives up on the handlers still running (not yet writing their outcome): `running` →
   * `released`, their signals aborted with `reason`. Returns their leases, to hand the jobs
   * back.
   */
  abandon(reason: unknown): Lease[] {
    const stragglers = [...this.#jobs.values()].filter((running) => running.state === 'running');
    for (const running of stragglers) {
      running.state = 'released';
      running.controller.abort(reason);
    }
    return toLeases(stragglers);
  }

  #move(running: RunningJob, from: RunningJobState[], to: RunningJobState): boolean {
    const held = this.#jobs.get(running.leaseToken);
    if (held !== running || !from.includes(held.state)) return false;
    held.state = to;
    return true;
  }
}

function toLeases(jobs: RunningJob[]): Lease[] {
  return jobs.map((running) => ({ id: running.job.id, leaseToken: running.leaseToken }));
}
