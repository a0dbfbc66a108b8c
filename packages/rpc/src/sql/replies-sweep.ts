import type { Pgq } from '@pgq/core';
import { Statement } from '@pgq/core/internal';

const statement = new Statement((pgq) => {
  const table = pgq.table('rpc_replies');
  return `delete from ${table} where request_id in (
       select request_id from ${table}
        where created_at < now() - $1::float8 * interval '1 millisecond'
        order by created_at
        limit $2
          for update skip locked
     )`;
});

/**
 * Deletes up to `limit` replies stored more than `retentionMs` ago (database clock): replies
 * whose caller timed out before they arrived and then went away, or crashed. Returns how many.
 *
 * Bounded by `limit` so a sweep holds few locks for a short time. `for update skip locked`:
 * sweepers in other processes take disjoint rows, and a row a caller is taking right now is
 * skipped rather than waited on. The range scan uses `rpc_replies_created`.
 */
export async function repliesSweep(pgq: Pgq, retentionMs: number, limit: number): Promise<number> {
  const { rowCount } = await statement.run(pgq, [retentionMs, limit]);
  return rowCount;
}
