import type { Pgq } from '@pgq/core';
import {
  type ListWorkersOptions,
  listWorkers,
  type QueueActivity,
  snapshotQueues,
  type WorkerListing,
} from '@pgq/queue';

/** One queue's line of the dashboard. */
export interface QueueSnapshot extends QueueActivity {
  /** Completed per second, averaged over the last minute. */
  throughputPerSecond: number;
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

/**
 * Reads everything the dashboard shows through `@pgq/queue`'s read functions: two read-only
 * statements (queues, workers), run side by side, with one live threshold
 * (`liveWithinMs`, default 30 s). Separate from the terminal view so it can be tested as data.
 *
 * @example
 * ```ts
 * const snapshot = await readDashboardSnapshot(pgq, { liveWithinMs: 60_000 });
 * for (const queue of snapshot.queues) console.log(queue.name, queue.pending, queue.throughputPerSecond);
 * ```
 */
export async function readDashboardSnapshot(
  pgq: Pgq,
  options: ListWorkersOptions = {},
): Promise<DashboardSnapshot> {
  const [{ takenAt, queues }, workers] = await Promise.all([
    snapshotQueues(pgq, options),
    listWorkers(pgq, options),
  ]);
  const live = workers.filter((worker) => worker.live);
  return {
    schema: pgq.schema,
    takenAt,
    // Field by field, so `--json` keeps its order: throughput after the last minute's counts.
    queues: queues.map((queue) => ({
      name: queue.name,
      pending: queue.pending,
      scheduled: queue.scheduled,
      active: queue.active,
      retrying: queue.retrying,
      dead: queue.dead,
      completedLastMinute: queue.completedLastMinute,
      deadLastMinute: queue.deadLastMinute,
      throughputPerSecond: queue.completedLastMinute / 60,
      oldestPendingMs: queue.oldestPendingMs,
      liveWorkers: queue.liveWorkers,
    })),
    workers: live,
    staleWorkers: workers.length - live.length,
  };
}
