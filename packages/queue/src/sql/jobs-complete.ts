import type { Executor, Pgq } from '@pgq/core';
import { Statement } from '@pgq/core/internal';
import { archiveInsert } from './job-row.js';

/** One completion: the job, the lease token it was claimed with, its result as JSON text. */
export interface JobCompletion {
  id: string;
  leaseToken: string;
  result: string | null;
}

const statement = new Statement(
  (pgq) => `
    with input as (
      select * from unnest($2::bigint[], $3::uuid[], $4::jsonb[]) as t(id, lease_token, result)
    ),
    done as (
      delete from ${pgq.table('jobs')} j using input
       where j.queue = $1 and j.id = input.id and j.lease_token = input.lease_token
         and j.state = 'active'
      returning j.*, input.result as new_result
    ),
    kept as (
      select * from done
       where done.notify_on_finish
          or (select completed_retention_seconds from ${pgq.table('queues')} where name = $1) > 0
    ),
    archived as (${archiveInsert(pgq.table('job_archive'), 'kept', 'completed', 'last_error', 'new_result')})
    select lease_token::text as lease_token from done`,
);

/**
 * Completes a batch of jobs in one statement: each leaves `jobs` and enters `job_archive`
 * (with its result and processing time) together, so no job is ever in both or neither. A
 * queue whose `completedRetentionSeconds` is 0 keeps no completed jobs: they are only
 * deleted (graphile-worker's way, half the writes), except those a `waitFor` waits on,
 * which stay until the next cleanup so their result can be read.
 * Returns the lease tokens of the claims that were completed (not ids: one batch can hold a
 * stale claim and the current claim of the same job, and only the current one counts).
 *
 * Fenced: a row is deleted only while it is `active` under the given lease token. A job
 * whose lease expired and was rescued, or taken by another claim, is left alone and its token
 * is missing from the result: the caller reports `LeaseLostError`. The delete locks each row;
 * a concurrent rescue or claim of the same row waits for it and then finds the row gone.
 */
export async function jobsComplete(
  pgq: Pgq,
  queue: string,
  completions: readonly JobCompletion[],
  tx?: Executor,
): Promise<Set<string>> {
  const { rows } = await statement.run<{ lease_token: string }>(
    pgq,
    [
      queue,
      completions.map((completion) => completion.id),
      completions.map((completion) => completion.leaseToken),
      completions.map((completion) => completion.result),
    ],
    { tx, batch: completions.length },
  );
  return new Set(rows.map((row) => row.lease_token));
}
