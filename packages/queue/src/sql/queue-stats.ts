import type { Pgq } from '@pgq/core';

/** The counts behind `Queue.stats()`, as the database returns them. */
export interface QueueStatsRow {
  pending: string;
  scheduled: string;
  active: string;
  completed: string;
  dead: string;
  cancelled: string;
  oldest_pending_ms: number | null;
}

/**
 * Counts a queue's jobs by state in one statement (one snapshot). Live counts scan the
 * queue's own partition; archive counts are index-only range scans of
 * `job_archive (queue, state, finished_at)`. No locks.
 */
export async function queueStats(pgq: Pgq, queue: string): Promise<QueueStatsRow> {
  const archiveCount = (state: string) =>
    `(select count(*) from ${pgq.table('job_archive')} where queue = $1 and state = '${state}')`;
  const rows = await pgq.query<QueueStatsRow>(
    `select count(*) filter (where state = 'pending' and run_at <= now()) as pending,
            count(*) filter (where state = 'pending' and run_at > now()) as scheduled,
            count(*) filter (where state = 'active') as active,
            ${archiveCount('completed')} as completed,
            ${archiveCount('dead')} as dead,
            ${archiveCount('cancelled')} as cancelled,
            (extract(epoch from now() - min(run_at) filter (where state = 'pending' and run_at <= now()))
              * 1000.0)::float8 as oldest_pending_ms
       from ${pgq.table('jobs')} where queue = $1`,
    [queue],
  );
  return rows[0]!;
}
