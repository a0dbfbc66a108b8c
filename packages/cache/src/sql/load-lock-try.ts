import type { PgQueryable, Pgq } from '@pgq/core';

/**
 * Tries to take the advisory lock that fences one key's loader across processes, inside the
 * caller's open transaction. Transaction-level, so the lock lives and dies with that one
 * transaction: a transaction-mode pooler (PgBouncer) keeps a transaction on one server
 * session, while a session-level lock could be taken on one server session and "released" on
 * another, staying held for good. Never waits: a process that does not get it waits for a
 * notification instead of holding a pool connection blocked in `pg_advisory_xact_lock`.
 */
export async function loadLockTry(
  pgq: Pgq,
  client: PgQueryable,
  lockKey: string,
): Promise<boolean> {
  const rows = await pgq.query<{ locked: boolean }>(
    'select pg_try_advisory_xact_lock($1::bigint) as locked',
    [lockKey],
    { tx: client },
  );
  return rows[0]?.locked ?? false;
}
