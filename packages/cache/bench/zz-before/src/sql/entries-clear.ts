import type { Executor, Pgq } from '@pgq/core';

/**
 * Deletes every entry of one namespace, expired or not; returns how many rows went. Waits
 * on rows another transaction is writing (so a concurrent set either lands before and is
 * cleared, or lands after and stays).
 */
export async function entriesClear(pgq: Pgq, namespace: string, tx?: Executor): Promise<number> {
  const { rowCount } = await pgq.execute(
    `delete from ${pgq.table('cache_entries')} where namespace = $1`,
    [namespace],
    { tx },
  );
  return rowCount;
}
