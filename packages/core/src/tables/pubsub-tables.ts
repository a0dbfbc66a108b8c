import type { Generated } from 'kysely';

/** `pubsub_payloads`: messages too large for NOTIFY, delivered by reference. */
export interface PubsubPayloadTable {
  id: Generated<string>;
  channel: string;
  payload: string;
  created_at: Generated<Date>;
}
