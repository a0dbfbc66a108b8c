import type { Executor, Pgq } from '@pgq/core';
import { Statement } from '@pgq/core/internal';

const statement = new Statement(
  (pgq) => `delete from ${pgq.table('cache_entries')}
      where namespace = $1 and key = $2
      returning (expires_at is null or expires_at > now()) as live`,
);

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
  const rows = await statement.query<{ live: boolean }>(pgq, [namespace, key], { tx });
  return rows[0]?.live ?? false;
}
