import type { Pgq } from '@pgq/core';
import { WakeLoop } from '@pgq/core/internal';
import { jobsChannel } from './channels.js';
import { jobsNotify } from './sql/jobs-notify.js';

const announcers = new WeakMap<Pgq, Map<string, WakeLoop>>();

/**
 * Wakes `queue`'s workers for jobs just committed outside an app transaction. Their insert
 * skipped the trigger's NOTIFY, which would have held a database-wide lock through the
 * insert's WAL flush; this one commits on its own, without a flush. Announcements of one
 * queue coalesce on a `WakeLoop`: one NOTIFY in flight at a time, and one more after it for
 * the commits it may have missed (they may be invisible to the claims it triggers). A failed
 * NOTIFY is logged, not thrown: the jobs are committed, and the workers' poll finds them.
 */
export function announceJobs(pgq: Pgq, queue: string): void {
  let byQueue = announcers.get(pgq);
  if (!byQueue) {
    byQueue = new Map();
    announcers.set(pgq, byQueue);
  }
  let announcer = byQueue.get(queue);
  if (!announcer) {
    announcer = new WakeLoop({
      turn: () => jobsNotify(pgq, jobsChannel(pgq), queue),
      onError: (error) => {
        if (pgq.closed) return;
        pgq.logger.warn('pgq could not announce new jobs; workers will poll for them', {
          queue,
          error: error instanceof Error ? error.message : String(error),
        });
      },
    });
    announcer.start(Number.POSITIVE_INFINITY);
    byQueue.set(queue, announcer);
  }
  announcer.wake();
}
