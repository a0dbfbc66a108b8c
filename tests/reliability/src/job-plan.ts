import type { Pgq } from '@pgq/core';
import type { JobHandler } from '@pgq/queue';
import { recorded, recordLease } from './checker.js';

/**
 * What a reliability job does when it runs, carried in its payload, so one handler (in a
 * child process or in the test's own) plays every scenario.
 */
export interface JobPlan {
  /** The job's number in its test: payloads differ, and tests pick jobs by it. */
  n: number;
  /** How long the handler works (awaiting, so heartbeats go on). Default 0. */
  ms?: number;
  /** On attempts after the first, work this long instead of `ms`. */
  laterMs?: number;
  /** On the first attempt, block the event loop this long first: a stalled-but-alive worker. */
  stallMs?: number;
  /** Fail every attempt up to this number (a transient failure); -1: every attempt. */
  failUntil?: number;
  /** Exit the whole process mid-job. */
  exit?: boolean;
  /** While working, record the lease held every this many ms (heartbeat evidence). */
  leaseEveryMs?: number;
}

/** Options of `planHandler`. */
export interface PlanHandlerOptions {
  /** Ignore `exit` and `failUntil: -1`: the fault is fixed (jobs retried after dying succeed). */
  heal?: boolean;
}

/**
 * A recorded handler (see `recorded`) that plays each job's `JobPlan`. Its work honours
 * `ctx.signal`, as a careful handler does; a stall does not (it blocks the event loop).
 *
 * @example
 * ```ts
 * const worker = new Worker(pgq, 'chaos', planHandler(pgq), { concurrency: 8 });
 * await queue.enqueue({ n: 1, ms: 20 });
 * ```
 */
export function planHandler(
  pgq: Pgq,
  options: PlanHandlerOptions = {},
): JobHandler<JobPlan, string> {
  return recorded(pgq, async (job, ctx) => {
    const plan = job.payload;
    if (plan.stallMs && job.attempts === 1) block(plan.stallMs);
    if (plan.exit && !options.heal) {
      // Some of the work done, nothing written: the process dies under the job.
      await pause((plan.ms ?? 0) / 2, ctx.signal);
      process.exit(3);
    }
    const workMs = (job.attempts > 1 ? plan.laterMs : undefined) ?? plan.ms ?? 0;
    const until = Date.now() + workMs;
    for (let left = until - Date.now(); left > 0; left = until - Date.now()) {
      await pause(Math.min(left, plan.leaseEveryMs ?? left), ctx.signal);
      if (plan.leaseEveryMs) await recordLease(pgq, job);
    }
    const failing = plan.failUntil === -1 ? !options.heal : job.attempts <= (plan.failUntil ?? 0);
    if (failing) throw new Error(`planned failure of job ${plan.n}, attempt ${job.attempts}`);
    return ctx.workerId;
  });
}

/** Blocks this thread (timers, heartbeats, I/O callbacks all wait) for `ms`. */
function block(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** Waits `ms`; rejects with the signal's reason when it aborts first. */
function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
