import type { Pgq } from '@pgq/core';
import { liveWithinMs } from './live-within.js';

/** One queue's depth, recent outcomes and live workers, from `snapshotQueues`. */
export interface QueueActivity {
  name: string;
  /** Due now, waiting for a worker. */
  pending: number;
  /** Waiting for a later run time (delayed, or backing off after a failure). */
  scheduled: number;
  /** Leased by a worker. */
  active: number;
  /** Waiting (pending or scheduled) after at least one failed attempt or a lost lease. */
  retrying: number;
  /** Dead jobs still in the archive. */
  dead: number;
  /** Jobs completed in the last minute (0 when the queue keeps no completed jobs). */
  completedLastMinute: number;
  /** Jobs that died in the last minute. */
  deadLastMinute: number;
  /** How long the oldest due job has waited; null when none is due. */
  oldestPendingMs: number | null;
  /** Live workers consuming this queue. */
  liveWorkers: number;
}

/** Every queue's activity at one moment, from `snapshotQueues`. */
export interface QueuesSnapshot {
  /** The database's clock when the snapshot was read (this process's when there are no queues). */
  takenAt: Date;
  /** In name order. */
  queues: QueueActivity[];
}

/** Options of `snapshotQueues`. */
export interface SnapshotQueuesOptions {
  /** A worker seen within this long counts as live. Default 30 000 ms: six missed heartbeats at the worker's default 5 s. */
  liveWithinMs?: number;
}

interface QueueActivityRow {
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
 * Every queue's depth, recent outcomes and live workers, read in one statement (one snapshot,
 * one round trip): what a dashboard shows on each refresh. Read-only, no locks. Live counts
 * scan each queue's partition of `jobs` (live jobs only, so it stays small while workers keep
 * up, and costs more as a backlog grows); the archive counts are range scans of
 * `job_archive (queue, state, finished_at)`, bounded to the last minute except `dead`, which
 * counts every retained dead job.
 *
 * @example
 * ```ts
 * import { connect } from '@pgq/core';
 * import { snapshotQueues } from '@pgq/queue';
 *
 * const pgq = connect();
 * const { queues } = await snapshotQueues(pgq, { liveWithinMs: 60_000 });
 * for (const queue of queues) console.log(queue.name, queue.pending, queue.completedLastMinute / 60);
 * ```
 */
export async function snapshotQueues(
  pgq: Pgq,
  options: SnapshotQueuesOptions = {},
): Promise<QueuesSnapshot> {
  const archive = pgq.table('job_archive');
  const rows = await pgq.query<QueueActivityRow>(
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
    [liveWithinMs(options.liveWithinMs)],
  );
  return {
    takenAt: rows[0]?.taken_at ?? new Date(),
    queues: rows.map((row) => ({
      name: row.name,
      pending: Number(row.pending),
      scheduled: Number(row.scheduled),
      active: Number(row.active),
      retrying: Number(row.retrying),
      dead: Number(row.dead),
      completedLastMinute: Number(row.completed_last_minute),
      deadLastMinute: Number(row.dead_last_minute),
      oldestPendingMs: row.oldest_pending_ms === null ? null : Math.round(row.oldest_pending_ms),
      liveWorkers: Number(row.live_workers),
    })),
  };
}
