import type { Executor, Pgq } from '@pgq/core';
import { type JobRow, liveJobColumns } from './job-row.js';
import { run, statement } from './statement.js';

/**
 * Claims up to `limit` ready jobs of a queue in one statement: highest priority first, then
 * oldest `run_at`, then id. Each gets a fresh lease token, a lease on the database clock
 * (`leaseMs`, or the queue's default when null) and one more attempt.
 *
 * `for update skip locked` lets any number of claimers run at once: each takes rows no other
 * claimer has locked, without waiting, and the lock re-checks `state` on the newest row
 * version, so a row another claimer just took is skipped, not taken twice. The locks are held
 * only by this statement. Rows come back in claim order.
 */
export async function jobsClaim(
  pgq: Pgq,
  queue: string,
  limit: number,
  leaseMs: number | null,
  workerId: string | null,
  tx?: Executor,
): Promise<JobRow[]> {
  const prepared = statement(
    pgq,
    'jobs_claim',
    () => `
    with next as (
      select id from ${pgq.table('jobs')}
       where queue = $1 and state = 'pending' and run_at <= now()
       order by priority desc, run_at, id
       limit $2
         for update skip locked
    )
    update ${pgq.table('jobs')} j
       set state = 'active', attempts = j.attempts + 1, lease_token = gen_random_uuid(),
           lease_expires_at = now() + coalesce($3::int,
             (select lease_ms from ${pgq.table('queues')} where name = $1)) * interval '1 millisecond',
           worker_id = $4, started_at = now()
      from next
     where j.queue = $1 and j.id = next.id
    returning ${liveJobColumns('j')}`,
  );
  const { rows } = await run<JobRow>(pgq, prepared, [queue, limit, leaseMs, workerId], tx);
  return rows.sort(byClaimOrder);
}

function byClaimOrder(left: JobRow, right: JobRow): number {
  return (
    right.priority - left.priority ||
    left.run_at!.getTime() - right.run_at!.getTime() ||
    compareIds(left.id, right.id)
  );
}

function compareIds(left: string, right: string): number {
  return left.length - right.length || (left < right ? -1 : left > right ? 1 : 0);
}
