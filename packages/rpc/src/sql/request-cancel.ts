import type { Pgq } from '@pgq/core';
import { Statement } from '@pgq/core/internal';

const callerGone = JSON.stringify({
  name: 'TimeoutError',
  code: 'PGQ_TIMEOUT',
  message: 'The RPC caller gave up (timed out or aborted) before a server started the request',
});

const statement = new Statement(
  (pgq) => `with cancelled as (
       delete from ${pgq.table('jobs')}
        where queue = $1 and id = $2::bigint and state = 'pending'
       returning *
     )
     insert into ${pgq.table('job_archive')} (id, queue, state, payload, priority, attempts,
       max_attempts, unique_key, last_error, result, created_at, started_at, finished_at)
     select id, queue, 'cancelled', payload, priority, attempts, max_attempts, unique_key,
            $3::jsonb, null, created_at, started_at, now()
       from cancelled
     returning id`,
);

/**
 * Cancels a request job only while no worker has claimed it: it moves from `jobs` to
 * `job_archive` as `cancelled`, so a server that comes along later does no useless work.
 * Returns false when the job was already claimed (or finished): it then runs to completion
 * and its reply is discarded by the caller or swept. `Queue.cancel` cancels active jobs too,
 * which would abort a running handler mid-write; a timed-out call must not do that.
 *
 * The delete locks the row. A claim (`for update skip locked`) that comes second skips it; a
 * claim that came first has made it `active`, and the delete, re-checking `state = 'pending'`
 * on the newest row version once the claim commits, leaves it alone.
 */
export async function requestCancel(pgq: Pgq, queue: string, jobId: string): Promise<boolean> {
  const rows = await statement.query(pgq, [queue, jobId, callerGone]);
  return rows.length > 0;
}
