import type { PgQueryable, Pgq } from '@pgq/core';

/**
 * Queues the wake-up of the processes waiting on a key's loader lock, in the lock's own
 * transaction. PostgreSQL sends it when that transaction commits, after the write it made
 * visible and after the lock is released, so a woken waiter finds the value or (the loader
 * failed) can take the lock at once. A rolled-back transaction sends nothing: waiters then
 * notice on their next poll.
 */
export async function loadLockNotify(
  pgq: Pgq,
  client: PgQueryable,
  lockKey: string,
  channel: string,
): Promise<void> {
  await pgq.query('select pg_notify($1, $2)', [channel, lockKey], { tx: client });
}
