import type { Pgq } from '@pgq/core';
import { archivedJobColumns, type JobRow, liveJobColumns } from './job-row.js';

/**
 * One job by id, live or archived. Both tables are read in one statement, so one snapshot:
 * a job moving to the archive meanwhile is seen in exactly one of them.
 */
export async function jobGet(pgq: Pgq, queue: string, id: string): Promise<JobRow | undefined> {
  const rows = await pgq.query<JobRow>(
    `select ${liveJobColumns('j')} from ${pgq.table('jobs')} j where j.queue = $1 and j.id = $2
     union all
     select ${archivedJobColumns('a')} from ${pgq.table('job_archive')} a
      where a.queue = $1 and a.id = $2`,
    [queue, id],
  );
  return rows[0];
}
