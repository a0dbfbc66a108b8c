import type { Executor, Pgq } from '@pgq/core';
import { Statement } from '@pgq/core/internal';
import type { StoredValue } from '../value-encoding.js';

const statement = new Statement(
  (
    pgq,
  ) => `insert into ${pgq.table('cache_entries')} as entry (namespace, key, value, bytes, expires_at, updated_at)
     values ($1, $2, $3, $4, statement_timestamp() + $5::float8 * interval '1 second',
             statement_timestamp())
     on conflict (namespace, key) do update
       set value = excluded.value, bytes = excluded.bytes,
           expires_at = excluded.expires_at, updated_at = excluded.updated_at`,
);

/**
 * Writes one entry (insert or overwrite). The upsert locks only this row, for the length of
 * the statement (or of the caller's transaction with `tx`): the last writer wins. Expiry is
 * computed on the database clock, so app servers with skewed clocks agree, and from this
 * statement's start, not its transaction's (`now()`): a `getOrSet` fill writes at the end of
 * the transaction that held its lock through the loader, and its TTL must not lose that time.
 */
export async function entrySet(
  pgq: Pgq,
  namespace: string,
  key: string,
  stored: StoredValue,
  ttlSeconds: number | undefined,
  tx?: Executor,
): Promise<void> {
  await statement.query(pgq, [namespace, key, stored.value, stored.bytes, ttlSeconds ?? null], {
    tx,
  });
}
