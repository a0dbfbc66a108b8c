import type { Pgq } from '@pgq/core';
import { assertJobId } from '../assert-job-id.js';

/**
 * The queues holding a job with id `id`, live or archived, in name order; empty when none.
 * Ids come from one sequence, yet one can sit in two queues: a row written with a chosen id
 * (by the owner, or by a producer before migration 0007 took that right away, issue 26), so
 * a caller acting on the job should refuse to guess between two. Read-only: two index probes
 * per queue, since both tables are keyed (queue, id) and an id alone cannot use the keys.
 * A malformed id throws `ValidationError`.
 *
 * @example
 * ```ts
 * import { connect } from '@pgq/core';
 * import { locateJob, Queue } from '@pgq/queue';
 *
 * const pgq = connect();
 * const [queue, ...others] = await locateJob(pgq, '42'); // ['emails']
 * if (queue !== undefined && others.length === 0) console.log(await new Queue(pgq, queue).get('42'));
 * ```
 */
export async function locateJob(pgq: Pgq, id: string): Promise<string[]> {
  const rows = await pgq.query<{ name: string }>(
    `select q.name from ${pgq.table('queues')} q
      where exists (select 1 from ${pgq.table('jobs')} j where j.queue = q.name and j.id = $1)
         or exists (select 1 from ${pgq.table('job_archive')} a where a.queue = q.name and a.id = $1)
      order by q.name`,
    [assertJobId(id)],
  );
  return rows.map((row) => row.name);
}
