import type { JobState, Pgq } from '@pgq/core';
import type { JobError } from '../job-error.js';

/** Where a waited-on job is now. */
export interface JobOutcome {
  id: string;
  state: JobState;
  result: unknown;
  lastError: JobError | null;
}

/**
 * The current state of some jobs of a queue, for `waitFor`: the archived outcome when they
 * finished, else their live state. Ids found nowhere are missing from the result. Reads
 * only; both tables in one snapshot.
 */
export async function jobsOutcome(
  pgq: Pgq,
  queue: string,
  ids: readonly string[],
): Promise<JobOutcome[]> {
  const rows = await pgq.query<{
    id: string;
    state: JobState;
    result: unknown;
    last_error: JobError | null;
  }>(
    `select id::text as id, state::text as state, result, last_error
       from ${pgq.table('job_archive')} where queue = $1 and id = any($2::bigint[])
     union all
     select id::text, state::text, null, last_error
       from ${pgq.table('jobs')} where queue = $1 and id = any($2::bigint[])`,
    [queue, ids],
  );
  return rows.map((row) => ({
    id: row.id,
    state: row.state,
    result: row.result,
    lastError: row.last_error,
  }));
}
