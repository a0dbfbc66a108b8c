import type { PgQueryable, Pgq } from '@pgq/core';

/**
 * Releases a key's loader lock and wakes the processes waiting on it. The notification is
 * sent when this statement commits, which is after the unlock, so a woken waiter that finds
 * no value (the loader failed) can take the lock at once.
 */
export async function loadLockRelease(
  pgq: Pgq,
  client: PgQueryable,
  lockKey: string,
  channel: string,
): Promise<void> {
  await pgq.query(
    'select pg_advisory_unlock($1::bigint), pg_notify($2, $3)',
    [lockKey, channel, lockKey],
    { tx: client },
  );
}
