import type { Pgq } from '@pgq/core';
import { toJsonText } from '../json-text.js';
import { archiveInsert } from './job-row.js';
import { run, statement } from './statement.js';

const leaseExpired = toJsonText({
  name: 'LeaseExpiredError',
  message: 'The lease expired before the job finished: its worker crashed, stalled or was killed',
});

/**
 * Rescues up to `limit` jobs whose lease expired (their worker died or stalled): back to
 * `pending` to run now, or to `dead` when no attempts are left. Returns how many of each.
 *
 * A compare-and-set: `for update skip locked` with `state = 'active' and lease_expires_at <
 * now()` re-checked on the newest row version under the lock, so a job that completed,
 * failed or was heartbeated meanwhile no longer matches and is never reverted (River #1302).
 * Rows a worker is completing right now are locked and skipped, not waited on.
 */
export async function jobsRescue(
  pgq: Pgq,
  queue: string,
  limit: number,
): Promise<{ retried: number; dead: number }> {
  const prepared = statement(
    pgq,
    'jobs_rescue',
    () => `
    with expired as (
      select id from ${pgq.table('jobs')}
       where queue = $1 and state = 'active' and lease_expires_at < now()
       order by lease_expires_at
       limit $2
         for update skip locked
    ),
    retried as (
      update ${pgq.table('jobs')} j
         set state = 'pending', run_at = now(), lease_token = null, lease_expires_at = null,
             worker_id = null, last_error = $3::jsonb
        from expired
       where j.queue = $1 and j.id = expired.id and j.attempts < j.max_attempts
      returning j.id
    ),
    dead as (
      delete from ${pgq.table('jobs')} j using expired
       where j.queue = $1 and j.id = expired.id and j.attempts >= j.max_attempts
      returning j.*
    ),
    archived as (${archiveInsert(pgq.table('job_archive'), 'dead', 'dead', '$3::jsonb', 'null')})
    select (select count(*) from retried)::int as retried, (select count(*) from dead)::int as dead`,
  );
  const { rows } = await run<{ retried: number; dead: number }>(pgq, prepared, [
    queue,
    limit,
    leaseExpired,
  ]);
  return rows[0] ?? { retried: 0, dead: 0 };
}
