import type { Generated } from 'kysely';

/** `rpc_replies` (UNLOGGED): a reply waits here until its caller has read it. */
export interface RpcReplyTable {
  request_id: string;
  response: unknown | null;
  error: unknown | null;
  created_at: Generated<Date>;
}
