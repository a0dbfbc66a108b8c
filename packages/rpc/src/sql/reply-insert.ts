import type { Executor, Pgq } from '@pgq/core';

/** One reply, ready to store: the response or the error, each as JSON text. */
export interface ReplyInput {
  requestId: string;
  /** The caller's NOTIFY channel. */
  replyTo: string;
  /** JSON text of the response; null when `error` is set. */
  response: string | null;
  /** JSON text of `{ message, name, code? }`; null for a response. */
  error: string | null;
}

/**
 * Stores a reply and announces it to its caller in one statement, so one transaction: the
 * NOTIFY is delivered only once the row is committed and readable (PostgreSQL sends
 * notifications at commit), and never for a rolled-back reply.
 *
 * `on conflict do nothing`: the first reply for a request wins. A request that ran twice
 * (a lease expired mid-run, or `maxAttempts` above 1) neither overwrites what the caller may
 * be reading nor notifies it twice. The insert takes no lock other than the new row's.
 * Returns false when a reply was already stored.
 */
export async function replyInsert(pgq: Pgq, reply: ReplyInput, tx?: Executor): Promise<boolean> {
  const rows = await pgq.query(
    `with stored as (
       insert into ${pgq.table('rpc_replies')} (request_id, response, error)
       values ($1::uuid, $2::jsonb, $3::jsonb)
       on conflict (request_id) do nothing
       returning request_id
     )
     select pg_notify($4::text, request_id::text) from stored`,
    [reply.requestId, reply.response, reply.error, reply.replyTo],
    { tx, prepare: true },
  );
  return rows.length > 0;
}
