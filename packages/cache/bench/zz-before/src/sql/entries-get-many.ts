import type { Pgq } from '@pgq/core';
import type { StoredValue } from '../value-encoding.js';

/** Reads the live entries among `keys` in one statement; no row locks, as `entryGet`. */
export async function entriesGetMany(
  pgq: Pgq,
  namespace: string,
  keys: readonly string[],
): Promise<Array<StoredValue & { key: string }>> {
  return pgq.query<StoredValue & { key: string }>(
    `select key, value, bytes from ${pgq.table('cache_entries')}
      where namespace = $1 and key = any($2::text[])
        and (expires_at is null or expires_at > now())`,
    [namespace, keys],
  );
}
