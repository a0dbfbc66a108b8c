import type { Pgq } from '@pgq/core';

/**
 * The queue of job `id`, live or archived, or undefined. Job ids are unique across the
 * schema's queues, so `pgq job show <id>` needs no queue name. Read-only; both tables are
 * keyed (queue, id), so without the queue this probes every queue's key: fine for a person
 * at a terminal, which is why `--queue` exists for scripts on large archives.
 *
 * @example
 * ```ts
 * const queue = await jobLocate(pgq, '42'); // 'emails'
 * ```
 */
export async function jobLocate(pgq: Pgq, id: string): Promise<string | undefined> {
  const rows = await pgq.query<{ queue: string }>(
    `(select queue from ${pgq.table('jobs')} where id = $1)
     union all
     (select queue from ${pgq.table('job_archive')} where id = $1)
     limit 1`,
    [id],
  );
  return rows[0]?.queue;
}
