import type { Executor, Pgq } from '@pgq/core';
import { Statement } from '@pgq/core/internal';

/** Where a fired schedule goes next. */
export interface ScheduleAdvance {
  name: string;
  /** The next tick to fire; null when the expression never fires again. */
  nextRunAt: Date | null;
  /** The latest tick that enqueued a job in this pass; null keeps the stored one. */
  lastRunAt: Date | null;
}

// Prepared whatever the batch (at most a pass's 100 schedules): its generic plan hashes the
// batch and reads `schedules` once, linear in both, never row against row.
const statement = new Statement(
  (pgq) => `
    update ${pgq.table('schedules')} s
       set next_run_at = fired.next_run_at,
           last_run_at = coalesce(fired.last_run_at, s.last_run_at)
      from unnest($1::text[], $2::timestamptz[], $3::timestamptz[])
           as fired(name, next_run_at, last_run_at)
     where s.name = fired.name`,
);

/**
 * Moves fired schedules past the ticks they fired, in one statement, inside the transaction
 * that locked them (`schedulesClaim`) and enqueued their jobs: the three commit together.
 */
export async function schedulesAdvance(
  pgq: Pgq,
  tx: Executor,
  advances: readonly ScheduleAdvance[],
): Promise<void> {
  await statement.run(
    pgq,
    [
      advances.map((advance) => advance.name),
      advances.map((advance) => advance.nextRunAt),
      advances.map((advance) => advance.lastRunAt),
    ],
    { tx },
  );
}
