import type { Pgq } from '@pgq/core';
import { run, statement } from './statement.js';

/**
 * Milliseconds (database clock) until the queue's earliest waiting job is due, or null when
 * none is waiting. Zero or less after a claim came back empty means a due job was skipped
 * because another transaction held its row lock (a `waitFor` flagging it, a cancel, another
 * claimer): the caller tries again shortly. Reads the first entry of the `jobs_run_at`
 * index (its predicate repeated here so the planner can use it); takes no locks.
 */
export async function jobsNextRun(pgq: Pgq, queue: string): Promise<number | null> {
  const prepared = statement(
    pgq,
    'jobs_next_run',
    () => `
    select (extract(epoch from min(run_at) - now()) * 1000)::float8 as delay_ms
      from ${pgq.table('jobs')}
     where queue = $1 and state = 'pending' and run_at > '-infinity'`,
  );
  const { rows } = await run<{ delay_ms: number | null }>(pgq, prepared, [queue]);
  return rows[0]?.delay_ms ?? null;
}
