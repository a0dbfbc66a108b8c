import type { Executor, Pgq } from '@pgq/core';
import { Statement } from '@pgq/core/internal';
import type { ScheduleRow } from './schedule-row.js';

/** A due schedule, locked by the caller's transaction, with the database clock. */
export interface DueScheduleRow
  extends Pick<
    ScheduleRow,
    'name' | 'cron' | 'timezone' | 'queue' | 'payload' | 'options' | 'catch_up' | 'grace_ms'
  > {
  next_run_at: Date;
  /** `now()`: the transaction's start, the clock every tick of this pass is judged by. */
  now: Date;
}

const statement = new Statement(
  (pgq) => `
    select name, cron, timezone, queue, payload, options, catch_up, grace_ms, next_run_at,
           now() as now
      from ${pgq.table('schedules')}
     where next_run_at <= now() and name <> all($2::text[])
     order by next_run_at
     limit $1
       for update skip locked`,
);

/**
 * Locks up to `limit` due schedules (next_run_at <= now()), earliest first, in the caller's
 * transaction. This lock is what makes a tick fire once across any number of schedulers: the
 * same transaction enqueues the tick's job and moves next_run_at past it, so a scheduler that
 * finds the row locked skips it (SKIP LOCKED: no waiting behind a firing), and one that reads
 * it after the commit sees it no longer due (READ COMMITTED re-checks the WHERE clause on the
 * row version it locks). `exclude`: schedules this scheduler failed to fire a moment ago.
 */
export async function schedulesClaim(
  pgq: Pgq,
  tx: Executor,
  limit: number,
  exclude: readonly string[],
): Promise<DueScheduleRow[]> {
  return statement.query<DueScheduleRow>(pgq, [limit, exclude], { tx });
}
