import type { Pgq } from '@pgq/core';

/**
 * Wakes the queue's workers (the same NOTIFY the insert trigger sends), after jobs went back
 * to `pending` without an insert: rescued or released.
 */
export async function jobsNotify(pgq: Pgq, channel: string, queue: string): Promise<void> {
  await pgq.query('select pg_notify($1, $2)', [channel, queue]);
}
