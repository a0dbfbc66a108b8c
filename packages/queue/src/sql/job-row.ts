import type { JobState } from '@pgq/core';
import type { Job } from '../job.js';
import type { JobError } from '../job-error.js';

/** One job row as the statements below return it, live or archived alike. */
export interface JobRow {
  id: string;
  queue: string;
  state: JobState;
  payload: unknown;
  priority: number;
  run_at: Date | null;
  attempts: number;
  max_attempts: number;
  unique_key: string | null;
  lease_token: string | null;
  lease_expires_at: Date | null;
  worker_id: string | null;
  last_error: JobError | null;
  result: unknown;
  created_at: Date;
  started_at: Date | null;
  finished_at: Date | null;
  duration_ms: number | null;
}

/** The select list of a live job (`jobs` under `alias`), shaped as a `JobRow`. */
export function liveJobColumns(alias: string): string {
  return `${alias}.id, ${alias}.queue, ${alias}.state::text as state, ${alias}.payload,
    ${alias}.priority, ${alias}.run_at, ${alias}.attempts, ${alias}.max_attempts,
    ${alias}.unique_key, ${alias}.lease_token, ${alias}.lease_expires_at, ${alias}.worker_id,
    ${alias}.last_error, null::jsonb as result, ${alias}.created_at, ${alias}.started_at,
    null::timestamptz as finished_at, null::int as duration_ms`;
}

/** The select list of an archived job (`job_archive` under `alias`), shaped as a `JobRow`. */
export function archivedJobColumns(alias: string): string {
  return `${alias}.id, ${alias}.queue, ${alias}.state::text as state, ${alias}.payload,
    ${alias}.priority, null::timestamptz as run_at, ${alias}.attempts, ${alias}.max_attempts,
    ${alias}.unique_key, null::uuid as lease_token, null::timestamptz as lease_expires_at,
    null::text as worker_id, ${alias}.last_error, ${alias}.result, ${alias}.created_at,
    ${alias}.started_at, ${alias}.finished_at, ${alias}.duration_ms`;
}

/**
 * `insert into job_archive` of the rows of CTE `source` (which returned `jobs` columns),
 * as `state`, with `lastError` and `result` as SQL expressions over `source`. `source` must be
 * the rows the same statement deleted from `jobs`: the `job_archive_moved` trigger refuses an
 * archive row whose job is still live, and for a `pgq_worker` login the archive's policy takes
 * only a faithful copy of a job active in the statement's snapshot (docs/roles.sql).
 *
 * The duration is capped at the largest `int` (24.8 days): a job that heartbeats for longer
 * must still be archivable.
 */
export function archiveInsert(
  archive: string,
  source: string,
  state: 'completed' | 'dead' | 'cancelled',
  lastError: string,
  result: string,
): string {
  return `insert into ${archive} (id, queue, state, payload, priority, attempts, max_attempts,
      unique_key, last_error, result, created_at, started_at, finished_at, duration_ms)
    select id, queue, '${state}', payload, priority, attempts, max_attempts, unique_key,
      ${lastError}, ${result}, created_at, started_at, statement_timestamp(),
      case when started_at is not null
        then least(round(extract(epoch from statement_timestamp() - started_at) * 1000.0),
          2147483647)::int end
    from ${source}`;
}

/** Maps a `JobRow` to the public `Job`. */
export function jobFromRow<Payload, Result>(row: JobRow): Job<Payload, Result> {
  return {
    id: row.id,
    queue: row.queue,
    state: row.state,
    payload: row.payload as Payload,
    priority: row.priority,
    runAt: row.run_at,
    attempts: row.attempts,
    maxAttempts: row.max_attempts,
    uniqueKey: row.unique_key,
    leaseToken: row.lease_token,
    leaseExpiresAt: row.lease_expires_at,
    workerId: row.worker_id,
    lastError: row.last_error,
    result: (row.result ?? null) as Result | null,
    createdAt: row.created_at,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    durationMs: row.duration_ms,
  };
}
