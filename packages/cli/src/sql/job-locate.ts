import type { Pgq } from '@pgq/core';

/**
 * The queues holding a job with id `id`, live or archived, in name order; empty when none.
 * Ids come from one sequence, yet one can sit in two queues: a row written with a chosen id
 * (by the owner, or by a producer before migration 0007 took that right away, issue 26). The
 * caller refuses to guess between them. Read-only: two index probes per queue, since both
 * tables are keyed (queue, id) and an id alone cannot use the keys.
 *
 * @example
 * ```ts
 * const queues = await jobLocate(pgq, '42'); // ['emails']
 * ```
 */
export async function jobLocate(pgq: Pgq, id: string): Promise<string[]> {
  const rows = await pgq.query<{ name: string }>(
    `select q.name from ${pgq.table('queues')} q
      where exists (select 1 from ${pgq.table('jobs')} j where j.queue = q.name and j.id = $1)
         or exists (select 1 from ${pgq.table('job_archive')} a where a.queue = q.name and a.id = $1)
      order by q.name`,
    [id],
  );
  return rows.map((row) => row.name);
}
