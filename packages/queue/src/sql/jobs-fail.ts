import type { Executor, Pgq } from '@pgq/core';
import { Statement } from '@pgq/core/internal';
import { archiveInsert } from './job-row.js';

/** One failed attempt: the job, its lease token, the error (JSON text) and the retry delay. */
export interface JobFailure {
  id: string;
  leaseToken: string;
  error: string;
  delayMs: number;
  /** Go straight to dead (e.g. the payload failed validation), attempts left or not. */
  final: boolean;
}

/** What became of a failed job. */
export type JobFailureOutcome = { state: 'pending'; runAt: Date } | { state: 'dead' };

const statement = new Statement(
  (pgq) => `
    with input as (
      select * from unnest($2::bigint[], $3::uuid[], $4::jsonb[], $5::float8[], $6::boolean[])
        as t(id, lease_token, error, delay_ms, final)
    ),
    retried as (
      update ${pgq.table('jobs')} j
         set state = 'pending', run_at = statement_timestamp() + input.delay_ms * interval '1 millisecond',
             lease_token = null, lease_expires_at = null, worker_id = null, last_error = input.error
        from input
       where j.queue = $1 and j.id = input.id and j.lease_token = input.lease_token
         and j.state = 'active' and j.attempts < j.max_attempts and not input.final
      returning input.lease_token, j.run_at
    ),
    dead as (
      delete from ${pgq.table('jobs')} j using input
       where j.queue = $1 and j.id = input.id and j.lease_token = input.lease_token
         and j.state = 'active' and (j.attempts >= j.max_attempts or input.final)
      returning j.*, input.error as new_error
    ),
    archived as (${archiveInsert(pgq.table('job_archive'), 'dead', 'dead', 'new_error', 'null')})
    select lease_token::text as lease_token, 'pending' as state, run_at from retried
    union all
    select lease_token::text, 'dead', null from dead`,
);

/**
 * Records a batch of failed attempts in one statement. A job with attempts left goes back to
 * `pending` with `run_at` pushed by its delay on the database clock; one without (or marked
 * `final`) moves to `job_archive` as `dead` with the error. Returns the outcome per lease
 * token (one batch can hold a stale and the current claim of one job); a token missing from
 * the map lost its lease.
 *
 * Fenced like completion: only rows `active` under the given lease token change. The update
 * and the delete take disjoint rows (attempts left or not), each locking its rows; a
 * concurrent rescue that got there first has cleared the token, so nothing happens here.
 */
export async function jobsFail(
  pgq: Pgq,
  queue: string,
  failures: readonly JobFailure[],
  tx?: Executor,
): Promise<Map<string, JobFailureOutcome>> {
  const { rows } = await statement.run<{
    lease_token: string;
    state: 'pending' | 'dead';
    run_at: Date | null;
  }>(
    pgq,
    [
      queue,
      failures.map((failure) => failure.id),
      failures.map((failure) => failure.leaseToken),
      failures.map((failure) => failure.error),
      failures.map((failure) => failure.delayMs),
      failures.map((failure) => failure.final),
    ],
    { tx, batch: failures.length },
  );
  return new Map(
    rows.map((row) => [
      row.lease_token,
      row.state === 'pending' ? { state: 'pending', runAt: row.run_at! } : { state: 'dead' },
    ]),
  );
}
