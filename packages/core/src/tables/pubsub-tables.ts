import type { Generated } from 'kysely';

/**
 * `pubsub_payloads` (UNLOGGED): message bodies too large for NOTIFY, delivered by
 * reference and swept after the publisher's retention.
 */
export interface PubsubPayloadTable {
  /** A UUID chosen by the publisher; the NOTIFY carries it. */
  id: string;
  /** The pgq channel the message was published to. */
  channel: string;
  /** The body: JSON text or a plain string. */
  payload: string;
  created_at: Generated<Date>;
}
