import type { Generated } from 'kysely';

/**
 * `rpc_replies` (UNLOGGED): a reply waits here until its caller has read it. The caller
 * deletes the row as it reads it; rows nobody read are swept after a retention period.
 */
export interface RpcReplyTable {
  /** The request's correlation id (a UUID), as carried by its request job. */
  request_id: string;
  /** The handler's response (any JSON value), or null when `error` is set. */
  response: unknown | null;
  /** `{ message, name, code? }` when the handler failed, else null. */
  error: { message: string; name: string; code?: string } | null;
  /** When the reply was stored (database clock): what the retention sweep goes by. */
  created_at: Generated<Date>;
}
