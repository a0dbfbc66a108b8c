import type { Pgq } from '@pgq/core';

/**
 * Deletes up to `limit` archived jobs of a queue that are past the queue's retention
 * (`completed_retention_seconds` for completed ones, `dead_retention_seconds` for dead and
 * cancelled ones). Returns how many went; call again while it returns `limit`.
 *
 * Bounded, so one call never holds many locks or writes a huge transaction. `skip locked`
 * lets several workers clean at once without waiting on each other; the outer delete by
 * `ctid` revisits exactly the rows the inner select locked.
 */
export async function archiveClean(pgq: Pgq, queue: string, limit: number): Promise<number> {
  const archive = pgq.table('job_archive');
  const { rowCount } = await pgq.execute(
    `delete from ${archive}
      where ctid = any(array(
        select a.ctid from ${archive} a join ${pgq.table('queues')} q on q.name = a.queue
         where a.queue = $1
           and ((a.state = 'completed'
                 and a.finished_at < now() - q.completed_retention_seconds::float8 * interval '1 second')
             or (a.state in ('dead', 'cancelled')
                 and a.finished_at < now() - q.dead_retention_seconds::float8 * interval '1 second'))
         limit $2
           for update of a skip locked))`,
    [queue, limit],
  );
  return rowCount;
}
