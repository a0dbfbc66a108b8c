import type { Executor, Pgq } from '@pgq/core';

/**
 * Trims one namespace to `maxEntries` rows: keeps the latest-to-expire (never-expiring
 * first), then the most recently written, and deletes the rest. Expired rows sort first
 * for deletion, so they go before any live entry.
 *
 * It walks `cache_entries_eviction` backwards past `maxEntries` index entries: the cost of a
 * bounded namespace is O(maxEntries) per call. It takes no row locks while choosing; the
 * delete by `ctid` is a TID scan that visits rows in physical order, so two evictions
 * running at once lock in the same order and cannot deadlock, and a row rewritten since it
 * was chosen has a new `ctid` and is not deleted.
 *
 * Not a prepared statement: its best plan depends on `maxEntries` and on the namespace's size
 * (a backward index walk once the table has statistics), so it is planned each time rather
 * than held to a generic plan chosen while the table was small.
 */
export async function entriesEvict(
  pgq: Pgq,
  namespace: string,
  maxEntries: number,
  tx?: Executor,
): Promise<number> {
  const table = pgq.table('cache_entries');
  const { rowCount } = await pgq.execute(
    `delete from ${table}
      where ctid = any(array(
        select ctid from ${table}
         where namespace = $1
         order by expires_at desc nulls first, updated_at desc
         offset $2))`,
    [namespace, maxEntries],
    { tx },
  );
  return rowCount;
}
