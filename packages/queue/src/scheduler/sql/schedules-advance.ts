import type { Executor, Pgq } from '@pgq/core';
import { statement } from '../../sql/statement.js';

/** Where a fired schedule goes next. */
export interface ScheduleAdvance {
  name: string;
  /** The next tick to fire; null when the expression never fires again. */
  nextRunAt: Date | null;
  /** The latest tick that enqueued a job in this pass; null keeps the stored one. */
  lastRunAt: Date | null;
}

/**
 * Moves fired schedules past the ticks they fired, in one statement, inside the transaction
 * that locked them (`schedulesClaim`) and enqueued their jobs: the three commit together.
 */
export async function schedulesAdvance(
  pgq: Pgq,
  tx: Executor,
  advances: readonly ScheduleAdvance[],
): Promise<void> {
  const prepared = statement(
    pgq,
    'schedules_advance',
    () => `
    update ${pgq.table('schedules')} s
       set next_run_at = fired.next_run_at,
           last_run_at = coalesce(fired.last_run_at, s.last_run_at)
      from unnest($1::text[], $2::timestamptz[], $3::timestamptz[])
           as fired(name, next_run_at, last_run_at)
     where s.name = fired.name`,
  );
  await pgq.query(
    prepared.text,
    [
      advances.map((advance) => advance.name),
      advances.map((advance) => advance.nextRunAt),
      advances.map((advance) => advance.lastRunAt),
    ],
    { tx, prepare: true },
  );
}
