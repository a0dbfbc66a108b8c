import type { Executor, Pgq } from '@pgq/core';
import { Statement } from '@pgq/core/internal';
import { type JobRow, liveJobColumns } from './job-row.js';
import { jobsRescue, leaseExpiredText } from './jobs-rescue.js';

/** What a claim took, and when to look again. */
export interface ClaimOutcome {
  /** In claim order. */
  jobs: JobRow[];
  /**
   * Jobs whose lease had expired on their last attempt: this claim moved them to dead (as
   * they were when their lease expired, with the lease error). Their consumer is gone, so
   * whoever claimed reports them.
   */
  dead: JobRow[];
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

const statement = new Statement(
  (pgq) => `
    with expired as (
      select id, priority, run_at, attempts < max_attempts as retry
        from ${pgq.table('jobs')}
       where queue = $1 and state = 'active' and lease_expires_at < statement_timestamp()
       order by lease_expires_at
       limit $2
         for update skip locked
    ),
    pending as (
      select id, priority, run_at from ${pgq.table('jobs')}
       where queue = $1 and state = 'pending' and run_at <= statement_timestamp()
       order by priority desc, run_at, id
       limit $2
         for update skip locked
    ),
    next as (
      select id from (
        select id, priority, run_at from pending
        union all
        select id, priority, run_at from expired where retry
      ) candidates
       order by priority desc, run_at, id
       limit $2
    ),
    claimed as (
      update ${pgq.table('jobs')} j
         set state = 'active', attempts = j.attempts + 1, lease_token = gen_random_uuid(),
             lease_expires_at = statement_timestamp() + coalesce($3::float8,
               (select lease_ms from ${pgq.table('queues')} where name = $1)) * interval '1 millisecond',
             worker_id = $4, started_at = statement_timestamp(),
             last_error = case when j.state = 'active' then $5::jsonb else j.last_error end
        from next, (select set_config('synchronous_commit', 'off', true)) as async_commit
       where j.queue = $1 and j.id = next.id
      returning ${liveJobColumns('j')}
    )
    select case
             when due.more then null
             -- A due row this claim did not take is one another transaction held for a moment
             -- (a waitFor flagging it, a cancel, another claim): look again shortly, since no
             -- NOTIFY will come for it.
             when due.left_behind then 0::float8
             else (
               select (extract(epoch from min(run_at) - statement_timestamp()) * 1000.0)::float8
                 from ${pgq.table('jobs')}
                where queue = $1 and state = 'pending' and run_at > created_at
                  and run_at > statement_timestamp())
           end as next_run_ms,
           due.more as more_due, due.spent, claimed.*
      from (
        -- After a full claim, a due row left behind, or an expired lease the probe found,
        -- means more may be due (at worst one empty claim more, when expired jobs were all
        -- taken).
        select (select count(*) from claimed) = $2 and (left_behind or probe.found > 0) as more,
               left_behind, probe.spent
          from (
            -- Due rows the claim did not take. The statement's snapshot still shows the rows
            -- it took as pending; they come first in the claim index, so this reads at most a
            -- row past them.
            select exists (
                     select from ${pgq.table('jobs')} j
                      where queue = $1 and state = 'pending' and run_at <= statement_timestamp()
                        -- NOT IN, hashed: an anti-join re-scanned \`next\` per row (400 rows: 6 ms).
                        and j.id not in (select id from next)) as left_behind
          ) candidates,
          (select count(*) as found, count(*) filter (where not retry)::int as spent
             from expired) probe
      ) due
      left join claimed on true`,
);

/**
 * Claims up to `limit` ready jobs of a queue: highest priority first, then oldest `run_at`,
 * then id. Ready means pending and due, or active with an expired lease (its consumer
 * crashed, stalled or was killed), so a consumer that only calls `dequeue()` gets a dead
 * consumer's job back without a `Worker` sweeping (issue 16). Each gets a fresh lease token,
 * a lease on the database clock (`leaseMs`, or the queue's default when null) and one more
 * attempt; a job taken back from an expired lease records `LeaseExpiredError` as its last
 * error, as the rescue writes.
 *
 * `for update skip locked` lets any number of claimers (and the rescue) run at once: each
 * takes rows no other has locked, without waiting, and the lock re-checks the whole `where`
 * on the newest row version. So a row another claimer just took is skipped, not taken twice:
 * a pending row it took is no longer pending, and an expired one it took has a lease in the
 * future. The same lock orders the claim with the old holder's late `complete`: the complete
 * either waits for this claim and then finds a new lease token (refused with
 * `LeaseLostError`, nothing changed), or gets the row first, before anyone took the job over
 * (it stands, as it does against the rescue), and this claim then finds the row gone (or,
 * after a heartbeat, no longer expired) and passes it over. One snapshot shows a row pending
 * or active, never both, so the two sets of candidates never share a row.
 *
 * An expired job out of attempts goes dead, not back to work: the claim only counts those
 * (they stay locked until it ends) and, when it saw any, runs the rescue right after on the
 * same `tx` (`jobsRescue`: one more statement, re-checking each lease under its own lock),
 * which archives them as dead with the same error a worker's sweep writes; they come back in
 * `dead`. Their archive move is a separate statement so that the common claim writes nothing
 * to the archive (a statement-level trigger on it would fire for every claim).
 *
 * Cost: the expired candidates come from one probe of the `jobs_lease` index at the queue's
 * earliest lease, which in the common claim finds none; the pending ones are read from the
 * `jobs_claim` index in claim order, as before; the two sets (at most `limit` rows each) are
 * merged by a sort of those rows alone. Pending rows the claim locked but expired jobs
 * outranked stay pending, and the claim says more are due. The price, measured on a queue of
 * 100k pending jobs with nothing expired (old and new statement alternating, 16 jobs a
 * claim): planning 0.68 -> 0.82 ms, execution +0.08 ms, 237 -> 241 buffers (issue 16). Every
 * reference to a CTE costs planning on each claim (custom plans), hence one reading of the
 * probe's rows below.
 *
 * When no due job is left, the same statement reads the first entry of the `jobs_scheduled`
 * index (its predicate repeated so the planner can use it), so an idle worker knows when to
 * look again without a second trip.
 *
 * Times are the statement's, not the transaction's: a claim inside an app's long transaction
 * still gets its whole lease, and judges other leases by the time it runs.
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
  // One row per claimed job, or a single row of nulls but next_run_ms, more_due and spent.
  const { rows } = await statement.run<
    JobRow & { next_run_ms: number | null; more_due: boolean; spent: number }
  >(pgq, [queue, limit, leaseMs, workerId, leaseExpiredText], { tx });
  const jobs = rows
    .filter((row) => row.id !== null)
    .map(({ next_run_ms: _, more_due: __, spent: ___, ...job }) => job)
    .sort(byClaimOrder);
  const first = rows[0];
  // Expired jobs out of attempts: the rescue archives them as dead (and puts back in line any
  // other expired job past this claim's limit).
  const rescued = first?.spent ? await jobsRescue(pgq, queue, limit, tx) : undefined;
  return {
    jobs,
    dead: rescued?.dead ?? [],
    nextRunMs: first?.next_run_ms ?? null,
    moreDue: (first?.more_due ?? false) || (rescued?.retried ?? 0) > 0,
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
