import type { Pgq } from '@pgq/core';
import { Statement } from '@pgq/core/internal';

const statement = new Statement(
  () => `select pg_notify($1, $2), set_config('synchronous_commit', 'off', true)`,
);

/**
 * Wakes the queue's workers (the NOTIFY the insert trigger sends in an app's transaction):
 * after jobs were inserted and committed on their own, or went back to `pending` without an
 * insert (rescued or released). Its own transaction holds nothing to make durable, so it
 * commits without waiting for a WAL flush.
 */
export async function jobsNotify(pgq: Pgq, channel: string, queue: string): Promise<void> {
  await statement.run(pgq, [channel, queue]);
}
