import type { Executor, Pgq } from '@pgq/core';

/**
 * The database clock now (on `tx` when given): a new schedule's first tick is the first after
 * it, so every process computes the same one whatever its own clock says.
 */
export async function scheduleClockNow(pgq: Pgq, tx?: Executor): Promise<Date> {
  const rows = await pgq.query<{ now: Date }>('select now() as now', [], { tx });
  return rows[0]!.now;
}
