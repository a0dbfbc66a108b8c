import type { Pgq } from '@pgq/core';

/**
 * Deletes up to `limit` stored bodies older than `retentionMs` (by the database clock) and
 * returns how many it deleted.
 *
 * Bounded by `limit` so one sweep never holds many rows or runs long. `for update skip
 * locked`: when several processes sweep at once they split the rows instead of queueing
 * on the same ones.
 */
export async function deleteExpiredPayloads(
  pgq: Pgq,
  retentionMs: number,
  limit: number,
): Promise<number> {
  const table = pgq.table('pubsub_payloads');
  const { rowCount } = await pgq.execute(
    `delete from ${table} where id in (
       select id from ${table}
       where created_at < now() - $1::float8 * interval '1 millisecond'
       order by created_at
       limit $2
       for update skip locked
     )`,
    [retentionMs, limit],
  );
  return rowCount;
}
