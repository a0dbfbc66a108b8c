import type { Executor, Pgq } from '@pgq/core';
import { Statement } from '@pgq/core/internal';

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

// A generic plan assumes 10 rows per array; its worst join pairs the batch with itself
// (64 × 64 comparisons cost less than planning): plan bigger batches for their real size.
const statement = new Statement(
  (pgq) => `with input as (
       select * from unnest($1::uuid[], $2::jsonb[], $3::jsonb[], $4::text[])
         as t(request_id, response, error, reply_to)
     ),
     stored as (
       insert into ${pgq.table('rpc_replies')} (request_id, response, error)
       select request_id, response, error from input
       on conflict (request_id) do nothing
       returning request_id
     )
     select stored.request_id::text as request_id,
            pg_notify(input.reply_to, stored.request_id::text),
            set_config('synchronous_commit',
              case when $5 then 'off' else current_setting('synchronous_commit') end, true)
       from stored join input using (request_id)`,
  { preparedUpTo: 64 },
);

/**
 * Stores replies and announces each to its caller in one statement, so one transaction: the
 * NOTIFY is delivered only once the row is committed and readable (PostgreSQL sends
 * notifications at commit), and never for a rolled-back reply.
 *
 * `on conflict do nothing`: the first reply for a request wins. A request that ran twice
 * (a lease expired mid-run, or `maxAttempts` above 1) neither overwrites what the caller may
 * be reading nor notifies it twice. The insert takes no lock other than the new row's.
 * Returns the request ids stored (a request that already had a reply is missing).
 *
 * On its own (no `tx`) the reply commits without waiting for its WAL flush: it is on the
 * caller's path, and the job's completion, written after it, commits durably and flushes it
 * too. A crash in between loses both, and the request runs again.
 */
export async function replyInsert(
  pgq: Pgq,
  replies: readonly ReplyInput[],
  tx?: Executor,
): Promise<Set<string>> {
  const rows = await statement.query<{ request_id: string }>(
    pgq,
    [
      replies.map((reply) => reply.requestId),
      replies.map((reply) => reply.response),
      replies.map((reply) => reply.error),
      replies.map((reply) => reply.replyTo),
      tx === undefined,
    ],
    { tx, batch: replies.length },
  );
  return new Set(rows.map((row) => row.request_id));
}
