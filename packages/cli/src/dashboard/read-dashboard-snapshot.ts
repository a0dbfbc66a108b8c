import type { Pgq } from '@pgq/core';
import { queuesSnapshot } from '../sql/queues-snapshot.js';
import { type WorkerListing, workersList } from '../sql/workers-list.js';

/** One queue's line of the dashboard. */
export interface QueueSnapshot {
  name: string;
  /** Due now, waiting for a worker. */
  pending: number;
  /** Waiting for a later run time (delayed, or backing off after a failure). */
  scheduled: number;
  /** Leased by a worker. */
  active: number;
  /** Waiting (pending or scheduled) after at least one failed attempt. */
  retrying: number;
  /** Dead jobs still in the archive. */
  dead: number;
  completedLastMinute: number;
  /** Jobs that died in the last minute. */
  deadLastMinute: number;
  /** Completed per second, averaged over the last minute. */
  throughputPerSecond: number;
  /** How long the oldest due job has waited; null when none is due. */
  oldestPendingMs: number | null;
  /** Live workers consuming this queue. */
  liveWorkers: number;
}

/** What the dashboard shows at one moment. */
export interface DashboardSnapshot {
  schema: string;
  /** The database's clock when the snapshot was taken. */
  takenAt: Date;
  queues: QueueSnapshot[];
  /** Workers seen within the live threshold. */
  workers: WorkerListing[];
  /** Registry rows older than the threshold: workers that died without unregistering. */
  staleWorkers: number;
}

/** Options of `readDashboardSnapshot`. */
export interface DashboardSnapshotOptions {
  /** A worker seen within this long counts as live. Default 30 000 ms: six missed heartbeats at the worker's default 5 s. */
  liveWorkerMs?: number;
}

/**
 * Reads everything the dashboard shows: two read-only statements (queues, workers), run
 * side by side. Separate from the terminal view so it can be tested and reused as data.
 *
 * @example
 * ```ts
 * const snapshot = await readDashboardSnapshot(pgq);
 * for (const queue of snapshot.queues) console.log(queue.name, queue.pending, queue.throughputPerSecond);
 * ```
 */
export async function readDashboardSnapshot(
  pgq: Pgq,
  options: DashboardSnapshotOptions = {},
): Promise<DashboardSnapshot> {
  const liveWorkerMs = options.liveWorkerMs ?? 30_000;
  const [rows, workers] = await Promise.all([
    queuesSnapshot(pgq, liveWorkerMs),
    workersList(pgq, liveWorkerMs),
  ]);
  const live = workers.filter((worker) => worker.live);
  return {
    schema: pgq.schema,
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
      throughputPerSecond: Number(row.completed_last_minute) / 60,
      oldestPendingMs: row.oldest_pending_ms === null ? null : Math.round(row.oldest_pending_ms),
      liveWorkers: Number(row.live_workers),
    })),
    workers: live,
    staleWorkers: workers.length - live.length,
  };
}
