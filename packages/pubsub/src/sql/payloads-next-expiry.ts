import type { Pgq } from '@pgq/core';

/**
 * Milliseconds until the oldest stored body expires (0 when it already has), or undefined
 * when none is stored. Reads `min(created_at)` off its index; no lock.
 */
export async function nextPayloadExpiry(
  pgq: Pgq,
  retentionMs: number,
): Promise<number | undefined> {
  const rows = await pgq.query<{ wait_ms: number | null }>(
    `select greatest(0, extract(epoch from
         min(created_at) + $1::float8 * interval '1 millisecond' - now()) * 1000.0)::float8 as wait_ms
     from ${pgq.table('pubsub_payloads')}`,
    [retentionMs],
  );
  return rows[0]?.wait_ms ?? undefined;
}
