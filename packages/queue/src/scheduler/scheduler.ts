import {
  assertName,
  type Pgq,
  PgqError,
  QueueNotFoundError,
  type ServiceState,
  type TxOptions,
  ValidationError,
} from '@pgq/core';
import { Service } from '@pgq/core/internal';
import { assertInteger, maxInt32 } from '../assert-integer.js';
import { Queue } from '../queue.js';
import { ScheduleFailedError } from './errors/schedule-failed-error.js';
import { SchedulerStoppedError } from './errors/scheduler-stopped-error.js';
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
export type SchedulerState = ServiceState;

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
export class Scheduler extends Service<SchedulerEvents> {
  readonly #pgq: Pgq;
  readonly #pollIntervalMs: number;
  readonly #queues = new Map<string, Queue>();
  #loop: SchedulerLoop | undefined;

  constructor(pgq: Pgq, options: SchedulerOptions = {}) {
    super({
      logger: pgq.logger,
      errorMessage: 'pgq scheduler error',
      stoppedError: () => new SchedulerStoppedError(),
    });
    this.#pgq = pgq;
    this.#pollIntervalMs = options.pollIntervalMs ?? 10_000;
    assertInteger('pollIntervalMs', this.#pollIntervalMs, 1, maxInt32);
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
  override start(): Promise<void> {
    return super.start();
  }

  protected async onStart(): Promise<void> {
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
      onError: (error) => this.report(error),
    });
    await this.#loop.start();
  }

  protected override async onStartFailed(): Promise<void> {
    this.#loop = undefined;
  }

  /**
   * Stops firing: lets a pass in flight commit, then closes its timer and LISTEN. Safe to call
   * twice. Ticks due while no scheduler runs follow each schedule's `catchUp` policy later.
   */
  override stop(): Promise<void> {
    return super.stop();
  }

  protected async onStop(): Promise<void> {
    await this.#loop?.stop();
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
    for (const fired of result.fired) this.emitSafely('fired', fired);
    for (const skipped of result.skipped) {
      this.#pgq.logger.warn('pgq scheduler: missed ticks skipped', {
        schedule: skipped.schedule,
        first: skipped.first.toISOString(),
        last: skipped.last.toISOString(),
      });
      this.emitSafely('skipped', skipped);
    }
    for (const { schedule, error } of result.failures) {
      const reason = error instanceof Error ? error.message : String(error);
      this.report(new ScheduleFailedError(schedule, reason, { cause: error }));
    }
  }
}
