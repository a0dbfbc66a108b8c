import type { Pgq } from '@pgq/core';

/** One queue's row of the dashboard, as the database returns it. */
export interface QueueSnapshotRow {
  name: string;
  pending: string;
  scheduled: string;
  active: string;
  retrying: string;
  dead: string;
  completed_last_minute: string;
  dead_last_minute: string;
  oldest_pending_ms: number | null;
  live_workers: string;
  taken_at: Date;
}

/**
 * Every queue's depth, recent outcomes and live workers in one statement, so one snapshot
 * and one round trip per dashboard refresh. Read-only, no locks. Per queue: live counts scan
 * that queue's partition of `jobs` (live jobs only, so it stays small while workers keep
 * up); the archive counts are range scans of `job_archive (queue, state, finished_at)`,
 * bounded to the last minute except `dead`, which counts every retained dead job.
 *
 * @example
 * ```ts
 * const rows = await queuesSnapshot(pgq, 30_000);
 * ```
 */
export async function queuesSnapshot(pgq: Pgq, liveWorkerMs: number): Promise<QueueSnapshotRow[]> {
  const archive = pgq.table('job_archive');
  return pgq.query<QueueSnapshotRow>(
    `select q.name,
            live.pending, live.scheduled, live.active, live.retrying,
            (extract(epoch from now() - live.oldest_run_at) * 1000.0)::float8 as oldest_pending_ms,
            (select count(*) from ${archive} a
              where a.queue = q.name and a.state = 'dead') as dead,
            (select count(*) from ${archive} a
              where a.queue = q.name and a.state = 'completed'
                and a.finished_at > now() - interval '1 minute') as completed_last_minute,
            (select count(*) from ${archive} a
              where a.queue = q.name and a.state = 'dead'
                and a.finished_at > now() - interval '1 minute') as dead_last_minute,
            (select count(*) from ${pgq.table('workers')} w
              where q.name = any (w.queues)
                and w.last_seen_at > now() - $1::float8 * interval '1 millisecond') as live_workers,
            now() as taken_at
       from ${pgq.table('queues')} q
       cross join lateral (
         select count(*) filter (where j.state = 'pending' and j.run_at <= now()) as pending,
                count(*) filter (where j.state = 'pending' and j.run_at > now()) as scheduled,
                count(*) filter (where j.state = 'active') as active,
                -- Waiting again after a failed attempt (or a lost lease).
                count(*) filter (where j.state = 'pending' and j.attempts > 0) as retrying,
                min(j.run_at) filter (where j.state = 'pending' and j.run_at <= now()) as oldest_run_at
           from ${pgq.table('jobs')} j
          where j.queue = q.name
       ) live
      order by q.name`,
    [liveWorkerMs],
  );
}
