import type { Executor, Pgq } from '@pgq/core';
import type { StoredValue } from '../value-encoding.js';

/**
 * Writes one entry (insert or overwrite). The upsert locks only this row, for the length of
 * the statement (or of the caller's transaction with `tx`): the last writer wins. Expiry is
 * computed on the database clock (`now()`), so app servers with skewed clocks agree.
 */
export async function entrySet(
  pgq: Pgq,
  namespace: string,
  key: string,
  stored: StoredValue,
  ttlSeconds: number | undefined,
  tx?: Executor,
): Promise<void> {
  await pgq.query(
    `insert into ${pgq.table('cache_entries')} as entry (namespace, key, value, bytes, expires_at)
     values ($1, $2, $3, $4, now() + $5::float8 * interval '1 second')
     on conflict (namespace, key) do update
       set value = excluded.value, bytes = excluded.bytes,
           expires_at = excluded.expires_at, updated_at = now()`,
    [namespace, key, stored.value, stored.bytes, ttlSeconds ?? null],
    { tx, prepare: tx === undefined },
  );
}
