import type { Pgq } from '@pgq/core';

/** A row of the worker registry, with whether it heartbeated recently. */
export interface WorkerListing {
  id: string;
  hostname: string;
  pid: number;
  queues: string[];
  startedAt: Date;
  lastSeenAt: Date;
  /** Milliseconds since it started, by the database clock. */
  upMs: number;
  /** Milliseconds since its last heartbeat, by the database clock. */
  lastSeenMs: number;
  /** Seen within the threshold given to `workersList`. */
  live: boolean;
}

/**
 * The worker registry (`<schema>.workers`), newest first. A worker heartbeats its row while it
 * runs and deletes it on stop; a row not seen within `liveWithinMs` belongs to a worker that
 * died or is stuck. Ages come from the database clock, so a skewed client clock cannot
 * make a live worker look dead. Read-only.
 *
 * @example
 * ```ts
 * const live = (await workersList(pgq, 60_000)).filter((worker) => worker.live);
 * ```
 */
export async function workersList(pgq: Pgq, liveWithinMs: number): Promise<WorkerListing[]> {
  const rows = await pgq.query<{
    id: string;
    hostname: string;
    pid: number;
    queues: string[];
    started_at: Date;
    last_seen_at: Date;
    up_ms: number;
    last_seen_ms: number;
  }>(
    `select id, hostname, pid, queues, started_at, last_seen_at,
            (extract(epoch from now() - started_at) * 1000.0)::float8 as up_ms,
            (extract(epoch from now() - last_seen_at) * 1000.0)::float8 as last_seen_ms
       from ${pgq.table('workers')}
      order by started_at desc, id`,
  );
  return rows.map((row) => ({
    id: row.id,
    hostname: row.hostname,
    pid: row.pid,
    queues: row.queues,
    startedAt: row.started_at,
    lastSeenAt: row.last_seen_at,
    upMs: Math.max(0, Math.round(row.up_ms)),
    lastSeenMs: Math.max(0, Math.round(row.last_seen_ms)),
    live: row.last_seen_ms <= liveWithinMs,
  }));
}
