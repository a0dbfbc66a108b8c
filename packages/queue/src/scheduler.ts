import { EventEmitter } from 'node:events';
import {
  assertName,
  type Pgq,
  PgqError,
  QueueNotFoundError,
  type TxOptions,
  ValidationError,
} from '@pgq/core';
import { assertInteger, maxInt32 } from './assert-integer.js';
import { Queue } from './queue.js';
import { resolveSchedule } from './scheduler-definition.js';
import { SchedulerLoop } from './scheduler-loop.js';
import type {
  Schedule,
  ScheduleDefinition,
  SchedulerEvents,
  SchedulerOptions,
} from './scheduler-options.js';
import { type SchedulerPassResult, schedulerPass } from './scheduler-pass.js';
import { scheduleClockNow } from './sql/schedule-clock.js';
import { scheduleDelete } from './sql/schedule-delete.js';
import { scheduleFromRow } from './sql/schedule-row.js';
import { scheduleUpsert } from './sql/schedule-upsert.js';
import { schedulesList } from './sql/schedules-list.js';

/** Where a scheduler is in its life (the same states as a `Worker`'s). */
export type SchedulerState = 'idle' | 'starting' | 'running' | 'stopping' | 'stopped';

// Most due schedules locked by one transaction.
const passBatchSize = 100;

/**
 * Recurring jobs from cron expressions. `set`, `remove`, `get` and `list` manage the stored
 * schedules (from any process, no `start()` needed); `start()` fires them: each tick of each
 * schedule enqueues exactly one job, however many processes run a scheduler, because the tick's
 * job and the move of the schedule to its next tick commit in one transaction that holds the
 * schedule's row lock. Ticks missed while no scheduler ran follow the schedule's `catchUp`.
 *
 * @example
 * ```ts
 * const scheduler = new Scheduler(pgq);
 * await scheduler.set('nightly-report', {
 *   cron: '0 3 * * *',
 *   timezone: 'Europe/Paris',
 *   queue: 'reports',
 *   payload: { kind: 'nightly' },
 * });
 * scheduler.on('error', (error) => console.error(error));
 * await scheduler.start();
 * process.on('SIGTERM', () => scheduler.stop());
 * ```
 */
export class Scheduler extends EventEmitter<SchedulerEvents> {
  readonly #pgq: Pgq;
  readonly #pollIntervalMs: number;
  readonly #queues = new Map<string, Queue>();
  #state: SchedulerState = 'idle';
  #starting: Promise<void> | undefined;
  #stopping: Promise<void> | undefined;
  #loop: SchedulerLoop | undefined;

  constructor(pgq: Pgq, options: SchedulerOptions = {}) {
    super();
    this.#pgq = pgq;
    this.#pollIntervalMs = options.pollIntervalMs ?? 10_000;
    assertInteger('pollIntervalMs', this.#pollIntervalMs, 1, maxInt32);
  }

  /** Where the scheduler is in its life. */
  get state(): SchedulerState {
    return this.#state;
  }

  /**
   * Creates or replaces the schedule `name` and returns it as stored. Its first tick is the
   * first after now (database clock); replacing a schedule keeps its next tick when the
   * expression and time zone are unchanged, so calling `set` at every boot loses no missed
   * tick. Throws `InvalidNameError` or `ValidationError` (bad expression, unknown time zone,
   * bad payload or option) and `QueueNotFoundError`, storing nothing. With `tx`, the schedule
   * exists only if that transaction commits.
   */
  async set(
    name: string,
    definition: ScheduleDefinition,
    options: TxOptions = {},
  ): Promise<Schedule> {
    const resolved = await resolveSchedule(name, definition, this.#pgq.maxValueBytes);
    const now = await scheduleClockNow(this.#pgq, options.tx);
    const nextRunAt = resolved.cron.next(now);
    if (nextRunAt === null) {
      throw new ValidationError('Invalid schedule', [
        { path: ['cron'], message: `${JSON.stringify(resolved.cron.expression)} never fires` },
      ]);
    }
    const row = await scheduleUpsert(
      this.#pgq,
      {
        name: resolved.name,
        cron: resolved.cron.expression,
        timezone: resolved.cron.timeZone,
        queue: resolved.queue,
        payload: resolved.payload,
        options: JSON.stringify(resolved.options),
        catchUp: resolved.catchUp,
        graceMs: resolved.graceMs,
        nextRunAt,
        channel: this.#channel(),
      },
      options.tx,
    );
    if (!row) throw new QueueNotFoundError(resolved.queue);
    return scheduleFromRow(row);
  }

  /**
   * Deletes the schedule `name`; returns false when there was none. No tick fires after it
   * returns (a tick being fired at that moment commits first).
   */
  async remove(name: string, options: TxOptions = {}): Promise<boolean> {
    return scheduleDelete(this.#pgq, assertName('schedule', name), options.tx);
  }

  /** The schedule `name`, or null. */
  async get(name: string): Promise<Schedule | null> {
    const [row] = await schedulesList(this.#pgq, assertName('schedule', name));
    return row ? scheduleFromRow(row) : null;
  }

  /** Every schedule, by name. */
  async list(): Promise<Schedule[]> {
    return (await schedulesList(this.#pgq)).map(scheduleFromRow);
  }

  /**
   * Starts firing schedules: runs a first pass (firing what is due, missed ticks included)
   * before it resolves, then wakes for each next tick. Throws what the first pass threw (e.g.
   * `NotInstalledError`). Calling it again while running is a no-op; a stopped scheduler
   * cannot start again (make a new one).
   */
  async start(): Promise<void> {
    if (this.#state === 'stopping' || this.#state === 'stopped') {
      throw new PgqError('PGQ_SCHEDULER_STOPPED', 'This scheduler was stopped: create a new one');
    }
    this.#starting ??= this.#start().catch((error) => {
      this.#state = 'idle';
      this.#starting = undefined;
      this.#loop = undefined;
      throw error;
    });
    return this.#starting;
  }

  async #start(): Promise<void> {
    this.#state = 'starting';
    this.#loop = new SchedulerLoop({
      pgq: this.#pgq,
      channel: this.#channel(),
      pollIntervalMs: this.#pollIntervalMs,
      batchSize: passBatchSize,
      pass: (exclude) =>
        schedulerPass({
          pgq: this.#pgq,
          queueFor: (queue) => this.#queue(queue),
          limit: passBatchSize,
          exclude,
        }),
      onPass: (result) => this.#announce(result),
      onError: (error) => this.#report(error),
    });
    await this.#loop.start();
    this.#state = 'running';
  }

  /**
   * Stops firing: lets a pass in flight commit, then closes its timer and LISTEN. Safe to call
   * twice. Ticks due while no scheduler runs follow each schedule's `catchUp` policy later.
   */
  async stop(): Promise<void> {
    this.#stopping ??= this.#stop();
    return this.#stopping;
  }

  async #stop(): Promise<void> {
    await this.#starting?.catch(() => {});
    if (this.#state !== 'idle') {
      this.#state = 'stopping';
      await this.#loop?.stop();
    }
    this.#state = 'stopped';
  }

  #channel(): string {
    return this.#pgq.channel('schedules');
  }

  #queue(name: string): Queue {
    let queue = this.#queues.get(name);
    if (!queue) {
      queue = new Queue(this.#pgq, name);
      this.#queues.set(name, queue);
    }
    return queue;
  }

  #announce(result: SchedulerPassResult): void {
    for (const fired of result.fired) this.#emitSafely('fired', fired);
    for (const skipped of result.skipped) {
      this.#pgq.logger.warn('pgq scheduler: missed ticks skipped', {
        schedule: skipped.schedule,
        first: skipped.first.toISOString(),
        last: skipped.last.toISOString(),
      });
      this.#emitSafely('skipped', skipped);
    }
    for (const { schedule, error } of result.failures) {
      const reason = error instanceof Error ? error.message : String(error);
      this.#report(
        new PgqError('PGQ_SCHEDULE_FAILED', `Schedule "${schedule}" could not fire: ${reason}`, {
          cause: error,
        }),
      );
    }
  }

  #emitSafely<Event extends 'fired' | 'skipped'>(
    event: Event,
    ...args: SchedulerEvents[Event]
  ): void {
    try {
      (this.emit as (event: string, ...args: unknown[]) => boolean)(event, ...args);
    } catch (error) {
      this.#report(error);
    }
  }

  #report(error: unknown): void {
    const reported = error instanceof Error ? error : new Error(String(error));
    if (this.listenerCount('error') === 0) {
      this.#pgq.logger.error('pgq scheduler error', { error: reported.message });
      return;
    }
    try {
      this.emit('error', reported);
    } catch (listenerError) {
      this.#pgq.logger.error('pgq scheduler error listener threw', {
        error: String(listenerError),
      });
    }
  }
}
