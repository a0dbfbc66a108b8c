import type { Pgq } from '@pgq/core';

/**
 * Deletes up to `batchSize` expired rows of every namespace; returns how many went.
 *
 * `FOR UPDATE SKIP LOCKED` makes concurrent sweepers (other processes, other caches) take
 * disjoint rows and never wait on each other or on a writer. The lock also re-checks the
 * newest row version: an entry that a writer just refreshed to a later expiry no longer
 * matches and is left alone. The outer delete by `ctid` is a TID scan, so a batch costs one
 * index range scan plus `batchSize` heap visits, and holds its locks for one statement.
 * Planned each time (not prepared): it runs once a minute, and a generic plan chosen while
 * the table was small could scan it whole once it has grown.
 */
export async function entriesSweep(pgq: Pgq, batchSize: number): Promise<number> {
  const table = pgq.table('cache_entries');
  const { rowCount } = await pgq.execute(
    `delete from ${table}
      where ctid = any(array(
        select ctid from ${table}
         where expires_at <= now()
         limit $1
           for update skip locked))`,
    [batchSize],
  );
  return rowCount;
}
