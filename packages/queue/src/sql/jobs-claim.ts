import type { Executor, Pgq } from '@pgq/core';
import { type JobRow, liveJobColumns } from './job-row.js';
import { run, statement } from './statement.js';

/** What a claim took, and when to look again. */
export interface ClaimOutcome {
  /** In claim order. */
  jobs: JobRow[];
  /**
   * When no due job is left: milliseconds (database clock) until the earliest waiting job is
   * due, or null when none waits (or due jobs are left). Zero means a due job was passed over
   * because another transaction held its row for a moment (a `waitFor` flagging it, a
   * cancel): look again shortly.
   */
  nextRunMs: number | null;
  /** Due jobs were left after this claim (it took as many as it asked for, and more wait). */
  moreDue: boolean;
}

/**
 * Claims up to `limit` ready jobs of a queue in one statement: highest priority first, then
 * oldest `run_at`, then id. Each gets a fresh lease token, a lease on the database clock
 * (`leaseMs`, or the queue's default when null) and one more attempt.
 *
 * `for update skip locked` lets any number of claimers run at once: each takes rows no other
 * claimer has locked, without waiting, and the lock re-checks `state` on the newest row
 * version, so a row another claimer just took is skipped, not taken twice. The locks are held
 * only by this statement. Rows come back in claim order. When no due job is left, the same
 * statement reads the first entry of the `jobs_scheduled` index (its predicate repeated so
 * the planner can use it), so an idle worker knows when to look again without a second trip.
 *
 * Times are the statement's, not the transaction's: a claim inside an app's long transaction
 * still gets its whole lease.
 *
 * The claim commits without waiting for its WAL flush (`synchronous_commit` off for this
 * transaction only): it is on the path from enqueue to handler, and a claim lost in a
 * database crash only puts the job back to pending, as a worker crash would. The job's
 * completion commits durably, flushing the claim with it.
 */
export async function jobsClaim(
  pgq: Pgq,
  queue: string,
  limit: number,
  leaseMs: number | null,
  workerId: string | null,
  tx?: Executor,
): Promise<ClaimOutcome> {
  const prepared = statement(
    pgq,
    'jobs_claim',
    () => `
    with next as (
      select id from ${pgq.table('jobs')}
       where queue = $1 and state = 'pending' and run_at <= statement_timestamp()
       order by priority desc, run_at, id
       limit $2
         for update skip locked
    ),
    claimed as (
      update ${pgq.table('jobs')} j
         set state = 'active', attempts = j.attempts + 1, lease_token = gen_random_uuid(),
             lease_expires_at = statement_timestamp() + coalesce($3::int,
               (select lease_ms from ${pgq.table('queues')} where name = $1)) * interval '1 millisecond',
             worker_id = $4, started_at = statement_timestamp()
        from next, (select set_config('synchronous_commit', 'off', true)) as async_commit
       where j.queue = $1 and j.id = next.id
      returning ${liveJobColumns('j')}
    )
    select case
             when due.more then null
             -- A due row this claim did not take is one another transaction held for a moment
             -- (a waitFor flagging it, a cancel, another claim): look again shortly, since no
             -- NOTIFY will come for it. The statement's snapshot still shows the rows it took as
             -- pending; they come first in the claim index, so this reads at most a row past them.
             when exists (
               select from ${pgq.table('jobs')} j
                where queue = $1 and state = 'pending' and run_at <= statement_timestamp()
                  -- NOT IN, hashed: an anti-join re-scanned \`next\` per row (400 rows: 6 ms).
                  and j.id not in (select id from next)) then 0::float8
             else (
               select (extract(epoch from min(run_at) - statement_timestamp()) * 1000)::float8
                 from ${pgq.table('jobs')}
                where queue = $1 and state = 'pending' and run_at > created_at
                  and run_at > statement_timestamp())
           end as next_run_ms,
           due.more as more_due, claimed.*
      from (
        -- A claim that took fewer than $2 left none (bar rows others held); after a full one,
        -- more than $2 due rows in the snapshot (the claimed ones included) means some are left.
        select case when (select count(*) from claimed) < $2 then false else (
          select count(*) > $2 from (
            select from ${pgq.table('jobs')}
             where queue = $1 and state = 'pending' and run_at <= statement_timestamp()
             limit $2 + 1) rows
        ) end as more
      ) due
      left join claimed on true`,
  );
  // One row per claimed job, or a single row of nulls but next_run_ms and more_due.
  const { rows } = await run<JobRow & { next_run_ms: number | null; more_due: boolean }>(
    pgq,
    prepared,
    [queue, limit, leaseMs, workerId],
    tx,
  );
  const jobs = rows
    .filter((row) => row.id !== null)
    .map(({ next_run_ms: _, more_due: __, ...job }) => job)
    .sort(byClaimOrder);
  return {
    jobs,
    nextRunMs: rows[0]?.next_run_ms ?? null,
    moreDue: rows[0]?.more_due ?? false,
  };
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
