import type { Pgq } from '@pgq/core';
import { liveWithinMs } from './live-within.js';

/** A row of the worker registry, from `listWorkers`. */
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
  /** Heartbeated within `liveWithinMs`; a stale row is a worker that died or is stuck. */
  live: boolean;
}

/** Options of `listWorkers`. */
export interface ListWorkersOptions {
  /** A worker seen within this long counts as live. Default 30 000 ms: six missed heartbeats at the worker's default 5 s. */
  liveWithinMs?: number;
}

/**
 * The worker registry (`<schema>.workers`), newest first, live and stale rows alike. A worker
 * heartbeats its row while it runs and deletes it on stop; a row not seen within
 * `liveWithinMs` belongs to a worker that died or is stuck. Ages come from the database
 * clock, so a skewed client clock cannot make a live worker look dead. Read-only.
 *
 * @example
 * ```ts
 * import { connect } from '@pgq/core';
 * import { listWorkers } from '@pgq/queue';
 *
 * const pgq = connect();
 * const live = (await listWorkers(pgq, { liveWithinMs: 60_000 })).filter((worker) => worker.live);
 * for (const worker of live) console.log(worker.hostname, worker.pid, worker.queues);
 * ```
 */
export async function listWorkers(
  pgq: Pgq,
  options: ListWorkersOptions = {},
): Promise<WorkerListing[]> {
  const within = liveWithinMs(options.liveWithinMs);
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
    live: row.last_seen_ms <= within,
  }));
}
