import type { Pgq } from '@pgq/core';
import { Statement } from '@pgq/core/internal';

const statement = new Statement(
  (pgq) => `
    select (extract(epoch from min(next_run_at) - now()) * 1000.0)::float8 as delay_ms
      from ${pgq.table('schedules')}
     where next_run_at is not null and name <> all($1::text[])`,
);

/**
 * Milliseconds (database clock) until the earliest next_run_at among the schedules not in
 * `exclude`, or null when none will ever fire. Zero or less: one is due now (or is being fired
 * by another scheduler, holding its lock). A scheduler sets its timer by it. Reads the
 * `schedules_next_run_at` index, takes no locks.
 */
export async function schedulesNextRun(
  pgq: Pgq,
  exclude: readonly string[],
): Promise<number | null> {
  const rows = await statement.query<{ delay_ms: number | null }>(pgq, [exclude]);
  return rows[0]?.delay_ms ?? null;
}
