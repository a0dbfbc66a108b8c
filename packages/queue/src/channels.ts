import type { Pgq } from '@pgq/core';

/** Where the insert trigger announces new jobs (the payload is the queue name). */
export function jobsChannel(pgq: Pgq): string {
  return pgq.channel('jobs');
}

/** Where the `jobs_finished` trigger announces waited-on jobs of `queue` (the payload is the id). */
export function finishedChannel(pgq: Pgq, queue: string): string {
  return pgq.channel(`finished.${queue}`);
}
