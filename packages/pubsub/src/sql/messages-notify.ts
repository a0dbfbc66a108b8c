import type { Executor, Pgq } from '@pgq/core';
import { Statement } from '@pgq/core/internal';

/** A message ready to send: its NOTIFYs in order, and the stored body when it is large. */
export interface OutgoingMessage {
  /** NOTIFY channel and payload pairs: the channel's own, then its fan-out channel's. */
  notifications: ReadonlyArray<{ channel: string; payload: string }>;
  /** The body, when too large for NOTIFY: stored under `id`, which the notifications carry. */
  stored?: { id: string; channel: string; payload: string } | undefined;
  /** Bytes this message puts on the wire, to bound a batch. */
  bytes: number;
}

// Prepared whatever the batch: its arrays are only inserted and sent, one plan for any size.
const statement = new Statement(
  (pgq) => `with stored as (
       insert into ${pgq.table('pubsub_payloads')} (id, channel, payload)
       select * from unnest($3::uuid[], $4::text[], $5::text[])
     )
     select pg_notify(notification.channel, notification.payload)
     from unnest($1::text[], $2::text[]) as notification(channel, payload)`,
);

/**
 * Stores the large bodies and sends every NOTIFY of a batch of messages in one statement,
 * hence one transaction (the caller's `tx` when given).
 *
 * No row locks: the insert only adds rows keyed by fresh UUIDs. The cost that matters is
 * at commit, where PostgreSQL takes its global NOTIFY queue lock once per transaction, which
 * is why publishes are batched. PostgreSQL delivers a transaction's notifications in the
 * order they were sent and transactions in commit order; `unnest` yields the array in order,
 * so large (stored) and small messages keep their order. Subscribers fetch stored bodies
 * only after the NOTIFY, hence after this commit: the row is always visible to them.
 */
export async function notifyMessages(
  pgq: Pgq,
  messages: readonly OutgoingMessage[],
  options: { tx?: Executor | undefined } = {},
): Promise<void> {
  const channels: string[] = [];
  const payloads: string[] = [];
  const storedIds: string[] = [];
  const storedChannels: string[] = [];
  const storedPayloads: string[] = [];
  for (const message of messages) {
    for (const notification of message.notifications) {
      channels.push(notification.channel);
      payloads.push(notification.payload);
    }
    if (message.stored) {
      storedIds.push(message.stored.id);
      storedChannels.push(message.stored.channel);
      storedPayloads.push(message.stored.payload);
    }
  }
  await statement.run(pgq, [channels, payloads, storedIds, storedChannels, storedPayloads], {
    tx: options.tx,
  });
}
