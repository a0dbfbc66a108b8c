import type { Pgq } from '@pgq/core';

/**
 * Reads a stored message body; undefined when it is gone (swept after the retention).
 *
 * A plain read, no lock: a stored body never changes, and several subscribers (in many
 * processes) read the same row, so no reader deletes it; the sweeper does, after the
 * retention.
 */
export async function getPayload(pgq: Pgq, id: string): Promise<string | undefined> {
  const rows = await pgq.query<{ payload: string }>(
    `select payload from ${pgq.table('pubsub_payloads')} where id = $1`,
    [id],
    { prepare: true },
  );
  return rows[0]?.payload;
}
