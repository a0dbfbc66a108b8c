import type { Contract } from '@pgq/core';

/**
 * What a schedule does with ticks that no scheduler fired in time (all schedulers were down
 * for longer than `graceMs`): skip them all, fire the most recent one, or fire each (at most
 * the 100 most recent). Ticks fired within `graceMs` of their time are never "missed".
 *
 * @example
 * ```ts
 * await scheduler.set('digest', { cron: '0 8 * * *', queue: 'emails', catchUp: 'none' });
 * ```
 */
export type CatchUpPolicy = 'none' | 'latest' | 'all';

/**
 * Options of the jobs a schedule enqueues. Each job's `runAt` is its tick's time (plus
 * `delayMs`), so a handler can read which tick it is for from `job.runAt`.
 *
 * @example
 * ```ts
 * const options: ScheduleJobOptions = { priority: 5, maxAttempts: 1, uniqueKey: 'report' };
 * ```
 */
export interface ScheduleJobOptions {
  /** Higher runs first; a 32-bit integer. Default 0. */
  priority?: number;
  /** Attempts before the job is dead. Default: the queue's. */
  maxAttempts?: number;
  /**
   * Default `schedule:<name>:<tick ISO time>`, a second fence against a tick enqueued twice.
   * Give a fixed key to skip a tick while the previous tick's job is still pending or
   * running (its `fired` event then says `deduplicated: true`).
   */
  uniqueKey?: string;
  /** Run this many milliseconds after the tick. Default 0. */
  delayMs?: number;
}

/**
 * A schedule as given to `Scheduler.set`.
 *
 * @example
 * ```ts
 * const nightly: ScheduleDefinition = {
 *   cron: '0 3 * * *',
 *   timezone: 'Europe/Paris',
 *   queue: 'reports',
 *   payload: { kind: 'nightly' },
 *   options: { maxAttempts: 5 },
 *   catchUp: 'latest',
 * };
 * ```
 */
export interface ScheduleDefinition<Payload = unknown> {
  /**
   * Five fields (`minute hour day-of-month month day-of-week`), or six with seconds first;
   * `@hourly`, `@daily`, `@weekly`, `@monthly`, `@yearly` too. Parsed by croner.
   */
  cron: string;
  /** IANA time zone the expression reads in. Default `'UTC'`. */
  timezone?: string;
  /** The queue (name or contract) each tick's job goes to. It must exist. */
  queue: string | Contract;
  /** Each job's payload (JSON). Validated by the contract when `queue` is one. Default `null`. */
  payload?: Payload;
  /** Options of each job. Default: none. */
  options?: ScheduleJobOptions;
  /** What to do with missed ticks. Default `'latest'`. */
  catchUp?: CatchUpPolicy;
  /**
   * How late a tick may be fired and still count as on time (fired whatever `catchUp` says).
   * From 1 000 ms to 1 day. Default 60 000 (one minute).
   */
  graceMs?: number;
}

/**
 * A stored schedule, as `Scheduler.list` and `Scheduler.get` return it.
 *
 * @example
 * ```ts
 * for (const schedule of await scheduler.list()) console.log(schedule.name, schedule.nextRunAt);
 * ```
 */
export interface Schedule {
  name: string;
  cron: string;
  /** The time zone's canonical name (`'utc'` is stored as `'UTC'`). */
  timezone: string;
  queue: string;
  payload: unknown;
  options: ScheduleJobOptions;
  catchUp: CatchUpPolicy;
  graceMs: number;
  /** The next tick to fire, or null when the expression never fires again. */
  nextRunAt: Date | null;
  /** The most recent tick that enqueued a job, or null before the first. */
  lastRunAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

/**
 * Options of `Scheduler`.
 *
 * @example
 * ```ts
 * new Scheduler(pgq, { pollIntervalMs: 30_000 });
 * ```
 */
export interface SchedulerOptions {
  /**
   * Longest sleep between looks at the schedules table. A fallback only: the scheduler wakes
   * for the earliest `nextRunAt` by a timer and for `set()` by LISTEN/NOTIFY. Default 10 000 ms.
   */
  pollIntervalMs?: number;
}

/**
 * One job enqueued for one tick, reported once its transaction committed.
 *
 * @example
 * ```ts
 * scheduler.on('fired', ({ schedule, tick, jobId }) => log(`${schedule} ${tick.toISOString()} → ${jobId}`));
 * ```
 */
export interface ScheduleFired {
  schedule: string;
  queue: string;
  /** The tick's time (the job's `runAt`, less `delayMs`). */
  tick: Date;
  jobId: string;
  /** True when a live job held the unique key and no job was added. */
  deduplicated: boolean;
}

/**
 * Missed ticks left without a job by the schedule's `catchUp` policy.
 *
 * @example
 * ```ts
 * scheduler.on('skipped', ({ schedule, first, last }) => warn(`${schedule}: skipped ${first} … ${last}`));
 * ```
 */
export interface ScheduleSkipped {
  schedule: string;
  /** The earliest tick skipped. */
  first: Date;
  /** The latest tick skipped. */
  last: Date;
}

/**
 * The events of a `Scheduler`.
 *
 * @example
 * ```ts
 * scheduler.on('error', (error) => console.error('scheduler', error));
 * ```
 */
export interface SchedulerEvents {
  fired: [fired: ScheduleFired];
  skipped: [skipped: ScheduleSkipped];
  /** A schedule could not fire (its queue is gone, say) or the database failed; it carries on. */
  error: [error: Error];
}
