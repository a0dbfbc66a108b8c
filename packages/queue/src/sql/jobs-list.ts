import type { Pgq } from '@pgq/core';
import { archivedJobColumns, type JobRow, liveJobColumns } from './job-row.js';

/**
 * A page of a queue's jobs, newest first (by id). `state` null lists every state; `scheduled`
 * lists pending jobs not due yet. `beforeId` is a keyset cursor (the last id of the previous
 * page). Each branch reads its table's (queue, id) key in order, so a page costs about its
 * size even on a large archive.
 */
export async function jobsList(
  pgq: Pgq,
  queue: string,
  options: { state: string | null; beforeId: string | null; limit: number; offset: number },
): Promise<JobRow[]> {
  return pgq.query<JobRow>(
    `select * from (
       select ${liveJobColumns('j')} from ${pgq.table('jobs')} j
        where j.queue = $1 and ($3::bigint is null or j.id < $3)
          and ($2::text is null or j.state::text = $2
               or ($2 = 'scheduled' and j.state = 'pending' and j.run_at > now()))
       union all
       select ${archivedJobColumns('a')} from ${pgq.table('job_archive')} a
        where a.queue = $1 and ($3::bigint is null or a.id < $3)
          and ($2::text is null or a.state::text = $2)
     ) listed
     order by id desc
     limit $4 offset $5`,
    [queue, options.state, options.beforeId, options.limit, options.offset],
  );
}
