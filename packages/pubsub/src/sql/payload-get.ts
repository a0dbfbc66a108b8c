import type { Pgq } from '@pgq/core';
import { Statement } from '@pgq/core/internal';

const statement = new Statement(
  (pgq) => `select payload from ${pgq.table('pubsub_payloads')} where id = $1 and channel = $2`,
);

/**
 * Reads a stored message body; undefined when it is gone (swept after the retention) or was
 * stored for another channel.
 *
 * A plain read, no lock: a stored body never changes, and several subscribers (in many
 * processes) read the same row, so no reader deletes it; the sweeper does, after the
 * retention. The channel must match too: the signed envelope already binds its reference to
 * its channel, and this keeps a body from ever reaching another channel's subscribers.
 */
export async function getPayload(
  pgq: Pgq,
  id: string,
  channel: string,
): Promise<string | undefined> {
  const rows = await statement.query<{ payload: string }>(pgq, [id, channel]);
  return rows[0]?.payload;
}
