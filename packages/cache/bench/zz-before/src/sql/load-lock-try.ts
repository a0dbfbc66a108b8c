import type { PgQueryable, Pgq } from '@pgq/core';

/**
 * Tries to take the session-level advisory lock that fences one key's loader across
 * processes. Never waits: a process that does not get it waits for a notification instead
 * of holding a pool connection blocked in `pg_advisory_lock`. Session-level (not
 * transaction-level) so the holder keeps no transaction open while the loader runs; the
 * lock goes with the session if the holder's connection dies.
 */
export async function loadLockTry(
  pgq: Pgq,
  client: PgQueryable,
  lockKey: string,
): Promise<boolean> {
  const rows = await pgq.query<{ locked: boolean }>(
    'select pg_try_advisory_lock($1::bigint) as locked',
    [lockKey],
    { tx: client },
  );
  return rows[0]?.locked ?? false;
}
