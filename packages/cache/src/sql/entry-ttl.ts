import type { Pgq } from '@pgq/core';
import { Statement } from '@pgq/core/internal';

const statement = new Statement(
  (pgq) => `select extract(epoch from expires_at - now())::float8 as seconds
       from ${pgq.table('cache_entries')}
      where namespace = $1 and key = $2 and (expires_at is null or expires_at > now())`,
);

/**
 * Reads one live entry's remaining time to live, measured on the database clock. No locks.
 * `seconds` is null for an entry that never expires; no row: missing or expired.
 */
export async function entryTtl(
  pgq: Pgq,
  namespace: string,
  key: string,
): Promise<{ seconds: number | null } | undefined> {
  const rows = await statement.query<{ seconds: number | null }>(pgq, [namespace, key]);
  return rows[0];
}
