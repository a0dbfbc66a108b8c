import type { Executor, Pgq } from '@pgq/core';

/**
 * Deletes one entry; true when a live (unexpired) entry was removed. Locks only that row;
 * a concurrent writer of the same key waits for this statement, then inserts afresh.
 */
export async function entryDelete(
  pgq: Pgq,
  namespace: string,
  key: string,
  tx?: Executor,
): Promise<boolean> {
  const rows = await pgq.query<{ live: boolean }>(
    `delete from ${pgq.table('cache_entries')}
      where namespace = $1 and key = $2
      returning (expires_at is null or expires_at > now()) as live`,
    [namespace, key],
    { tx, prepare: tx === undefined },
  );
  return rows[0]?.live ?? false;
}
