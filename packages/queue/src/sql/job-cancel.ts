import type { Executor, Pgq } from '@pgq/core';
import { archiveInsert } from './job-row.js';

/**
 * Cancels a live job (pending or active): it moves to `job_archive` as `cancelled`. Returns
 * false when the job is not live. An active job's worker finds out at its next heartbeat
 * (its signal aborts) or when it completes (`LeaseLostError`). The delete locks the row, so a
 * completion racing it either wins (cancel returns false) or finds the row gone.
 */
export async function jobCancel(
  pgq: Pgq,
  queue: string,
  id: string,
  tx?: Executor,
): Promise<boolean> {
  const rows = await pgq.query(
    `with cancelled as (
       delete from ${pgq.table('jobs')} where queue = $1 and id = $2 returning *
     ),
     archived as (${archiveInsert(pgq.table('job_archive'), 'cancelled', 'cancelled', 'last_error', 'null')})
     select id from cancelled`,
    [queue, id],
    { tx },
  );
  return rows.length > 0;
}
