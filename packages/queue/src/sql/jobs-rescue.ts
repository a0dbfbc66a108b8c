import type { Executor, Pgq } from '@pgq/core';
import { Statement, toJsonText } from '@pgq/core/internal';
import type { JobError } from '../job-error.js';
import { archiveInsert, type JobRow, liveJobColumns } from './job-row.js';

/** What a job whose lease expired records as its last error, retried or dead alike. */
export const leaseExpiredError: JobError = {
  name: 'LeaseExpiredError',
  message: 'The lease expired before the job finished: its worker crashed, stalled or was killed',
};
/** `leaseExpiredError` as the JSON text the statements bind. */
export const leaseExpiredText = toJsonText(leaseExpiredError);

/** What a rescue did: how many jobs went back to pending, and the jobs that went dead. */
export interface RescueOutcome {
  retried: number;
  /** As they were when their lease expired (state `active`), with the lease error. */
  dead: JobRow[];
}

const statement = new Statement(
  (pgq) => `
    with expired as (
      select id from ${pgq.table('jobs')}
       where queue = $1 and state = 'active' and lease_expires_at < statement_timestamp()
       order by lease_expires_at
       limit $2
         for update skip locked
    ),
    retried as (
      update ${pgq.table('jobs')} j
         set state = 'pending', lease_token = null, lease_expires_at = null,
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
    select counted.retried, ${liveJobColumns('dead')}
      from (select count(*)::int as retried from retried) counted
      left join dead on true`,
);

/**
 * Rescues up to `limit` jobs whose lease expired (their worker died or stalled): back to
 * `pending`, keeping their place in line, or to `dead` when no attempts are left. The dead
 * come back so the rescuing worker can report them: their own worker is gone. A worker's
 * sweep runs it, and so does a claim that saw an expired job out of attempts (`jobsClaim`,
 * on the claim's `tx`), so a job dies alike whoever finds it.
 *
 * A compare-and-set: `for update skip locked` with `state = 'active' and lease_expires_at <
 * statement_timestamp()` re-checked on the newest row version under the lock, so a job that
 * completed, failed, was heartbeated or claimed again meanwhile no longer matches and is
 * never reverted (River #1302). Rows a worker is completing right now are locked and
 * skipped, not waited on. The statement's time, not the transaction's: inside a claim's
 * transaction it judges leases as the claim did.
 */
export async function jobsRescue(
  pgq: Pgq,
  queue: string,
  limit: number,
  tx?: Executor,
): Promise<RescueOutcome> {
  // One row per dead job, or a single row of nulls besides the count.
  const { rows } = await statement.run<JobRow & { retried: number }>(
    pgq,
    [queue, limit, leaseExpiredText],
    { tx },
  );
  return {
    retried: rows[0]?.retried ?? 0,
    dead: rows
      .filter((row) => row.id !== null)
      .map(({ retried: _, ...row }) => ({ ...row, state: 'dead', last_error: leaseExpiredError })),
  };
}
