import type { Pgq } from '@pgq/core';

/**
 * Asks for a notification when a live job finishes: sets `notify_on_finish`, which makes the
 * `jobs_finished` trigger announce its id when the row leaves `jobs`. Returns true when the
 * job is live (a notification will come), false when it is not (look in the archive).
 *
 * The caller LISTENs before this runs, so any finish committed after it is heard. Only an
 * unflagged row is written (and locked, for this statement); a row already flagged by another
 * waiter is just read.
 */
export async function jobWatch(pgq: Pgq, queue: string, id: string): Promise<boolean> {
  const rows = await pgq.query<{ live: boolean }>(
    `with flagged as (
       update ${pgq.table('jobs')} set notify_on_finish = true
        where queue = $1 and id = $2 and not notify_on_finish
       returning id
     )
     select exists (select 1 from flagged)
         or exists (select 1 from ${pgq.table('jobs')}
                     where queue = $1 and id = $2 and notify_on_finish) as live`,
    [queue, id],
  );
  return rows[0]?.live ?? false;
}
