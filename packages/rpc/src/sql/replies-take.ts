import type { Pgq } from '@pgq/core';
import { Statement } from '@pgq/core/internal';

/** A stored reply as its caller reads it. */
export interface ReplyRow {
  request_id: string;
  response: unknown;
  /** `{ message, name, code? }` when the handler failed, else null. */
  error: { message?: unknown; name?: unknown; code?: unknown } | null;
}

// Prepared whatever the batch: each id is a probe of the primary key, one plan for any size.
const statement = new Statement(
  (pgq) => `with taken as (
       delete from ${pgq.table('rpc_replies')}
        where request_id = any($1::uuid[])
       returning request_id::text as request_id, response, error
     )
     select taken.* from taken, (select set_config('synchronous_commit', 'off', true)) as async_commit`,
);

/**
 * Reads and deletes the replies of these requests in one statement: a reply is read once,
 * and leaves the table as it is read, so a table of answered calls stays empty.
 *
 * The delete locks each row it takes. Two takes of one id (a notification and a reconnect
 * catch-up racing) cannot both return it: the second waits on the first's row lock, then
 * finds the row gone and returns nothing. Sweepers skip locked rows, so they never wait on
 * a take, nor a take on them for long (one bounded batch).
 *
 * It commits without waiting for its WAL flush: a take lost in a database crash only leaves
 * replies already read for the sweeper.
 */
export async function repliesTake(pgq: Pgq, requestIds: readonly string[]): Promise<ReplyRow[]> {
  return statement.query<ReplyRow>(pgq, [requestIds]);
}
