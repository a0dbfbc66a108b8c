import type { Pgq } from '@pgq/core';
import type { PoolClient } from 'pg';
import type { JobSpec } from '../enqueue-options.js';
import type { Queue } from '../queue.js';
import { CronExpression } from './cron-expression.js';
import type { ScheduleFired, ScheduleSkipped } from './scheduler-options.js';
import { planTicks } from './scheduler-ticks.js';
import { type ScheduleAdvance, schedulesAdvance } from './sql/schedules-advance.js';
import { type DueScheduleRow, schedulesClaim } from './sql/schedules-claim.js';

/**
 * What one pass did.
 *
 * @example
 * ```ts
 * const { claimed, fired, skipped, failures }: SchedulerPassResult = await schedulerPass(options);
 * ```
 */
export interface SchedulerPassResult {
  /** Due schedules this pass locked. */
  claimed: number;
  fired: ScheduleFired[];
  skipped: ScheduleSkipped[];
  /** Schedules that could not fire (left due, unchanged), with why. */
  failures: Array<{ schedule: string; error: unknown }>;
}

/**
 * What a pass needs from its scheduler.
 *
 * @example
 * ```ts
 * const options: SchedulerPassOptions = { pgq, queueFor: (name) => new Queue(pgq, name), limit: 100, exclude: [] };
 * ```
 */
export interface SchedulerPassOptions {
  pgq: Pgq;
  /** The `Queue` to enqueue a schedule's jobs on. */
  queueFor(name: string): Queue;
  /** Most schedules locked by one transaction. */
  limit: number;
  /** Schedules not to claim (they failed a moment ago). */
  exclude: readonly string[];
}

/**
 * Fires what is due, in one transaction: locks the due schedules (`schedulesClaim`), enqueues
 * each fired tick's job through the Queue API on the same transaction, and moves each
 * schedule's next_run_at past the ticks it fired. Jobs and the move commit together, so a tick
 * is enqueued once or not at all. With several schedules, each fires under a savepoint: one
 * that fails (its queue was deleted, say) stays due and unchanged, and the others commit.
 *
 * @example
 * ```ts
 * const { fired, failures } = await schedulerPass({ pgq, queueFor, limit: 100, exclude: [] });
 * ```
 */
export async function schedulerPass(options: SchedulerPassOptions): Promise<SchedulerPassResult> {
  const { pgq } = options;
  const result: SchedulerPassResult = { claimed: 0, fired: [], skipped: [], failures: [] };
  const client = await pgq.pool.connect();
  let broken: unknown;
  try {
    await client.query('begin');
    const rows = await schedulesClaim(pgq, client, options.limit, options.exclude);
    result.claimed = rows.length;
    const isolate = rows.length > 1;
    const advances: ScheduleAdvance[] = [];
    for (const row of rows) {
      if (isolate) await client.query('savepoint schedule');
      try {
        const outcome = await fireSchedule(row, client, options.queueFor(row.queue));
        if (isolate) await client.query('release savepoint schedule');
        advances.push(outcome.advance);
        result.fired.push(...outcome.fired);
        if (outcome.skipped) result.skipped.push(outcome.skipped);
      } catch (error) {
        result.failures.push({ schedule: row.name, error });
        if (isolate) await client.query('rollback to savepoint schedule');
      }
    }
    if (advances.length > 0) await schedulesAdvance(pgq, client, advances);
    // Nothing fired (a lone schedule failed, or none was due): nothing to keep.
    await client.query(advances.length > 0 ? 'commit' : 'rollback');
    return result;
  } catch (error) {
    broken = error;
    await client.query('rollback').catch(() => {});
    throw pgq.translateError(error);
  } finally {
    // A connection that failed mid-transaction is not handed back to the pool.
    client.release(broken instanceof Error ? broken : undefined);
  }
}

// Enqueues the jobs of one schedule's fired ticks; says where the schedule goes next.
async function fireSchedule(
  row: DueScheduleRow,
  client: PoolClient,
  queue: Queue,
): Promise<{ advance: ScheduleAdvance; fired: ScheduleFired[]; skipped?: ScheduleSkipped }> {
  const plan = planTicks({
    cron: new CronExpression(row.cron, row.timezone),
    nextRunAt: row.next_run_at,
    now: row.now,
    graceMs: row.grace_ms,
    catchUp: row.catch_up,
  });
  const { delayMs = 0, uniqueKey, priority, maxAttempts } = row.options ?? {};
  const specs: Array<JobSpec<unknown>> = plan.fire.map((tick) => ({
    payload: row.payload,
    runAt: new Date(tick.getTime() + delayMs),
    uniqueKey: uniqueKey ?? `schedule:${row.name}:${tick.toISOString()}`,
    ...(priority === undefined ? {} : { priority }),
    ...(maxAttempts === undefined ? {} : { maxAttempts }),
  }));
  const jobs = specs.length > 0 ? await queue.enqueueMany(specs, { tx: client }) : [];
  return {
    advance: { name: row.name, nextRunAt: plan.nextRunAt, lastRunAt: plan.fire.at(-1) ?? null },
    fired: plan.fire.map((tick, index) => ({
      schedule: row.name,
      queue: row.queue,
      tick,
      jobId: jobs[index]!.id,
      deduplicated: jobs[index]!.deduplicated,
    })),
    ...(plan.skipped ? { skipped: { schedule: row.name, ...plan.skipped } } : {}),
  };
}
