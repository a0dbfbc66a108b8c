import type { Pgq } from '@pgq/core';
import { Statement } from '@pgq/core/internal';
import type { StoredValue } from '../value-encoding.js';

/** One row of a coalesced write: its own key, value and TTL (`null`: never expires). */
export interface BatchEntry extends StoredValue {
  key: string;
  ttlSeconds: number | null;
}

// Prepared whatever the batch: its arrays are only inserted, one plan for any size.
const statement = new Statement(
  (
    pgq,
  ) => `with settings as materialized (select set_config('lock_timeout', $6, true) as lock_timeout)
     insert into ${pgq.table('cache_entries')} as entry (namespace, key, value, bytes, expires_at, updated_at)
     select $1, batch.key, batch.value, batch.bytes,
            statement_timestamp() + batch.ttl * interval '1 second', statement_timestamp()
       from settings,
            unnest($2::text[], $3::text[], $4::bytea[], $5::float8[]) as batch(key, value, bytes, ttl)
     on conflict (namespace, key) do update
       set value = excluded.value, bytes = excluded.bytes,
           expires_at = excluded.expires_at, updated_at = excluded.updated_at`,
);

/**
 * Writes the `set` calls of several callers in one statement, on the pool (never in a
 * caller's transaction). Keys must be unique within the batch (an upsert cannot touch one
 * row twice) and sorted, so concurrent batches lock shared rows in one order.
 *
 * Unlike a single caller's `set`, a batch must not wait long on a row lock: the transaction
 * holding it may itself be waiting for one of the other callers in the batch (an app that
 * writes a key with `{ tx }`, then awaits a plain `set` of another key before it commits),
 * which would deadlock where one statement per call would not. So the statement first lowers
 * its own `lock_timeout` (transaction-local, and the transaction is this statement) to
 * `lockTimeoutMs`: past it the batch fails having written nothing, and its callers' writes
 * run one statement each, which wait on the lock exactly as a lone `set` does. The settings
 * CTE is joined to every row, so it runs before the first row is inserted.
 */
export async function entriesSetBatch(
  pgq: Pgq,
  namespace: string,
  entries: readonly BatchEntry[],
  lockTimeoutMs: number,
): Promise<void> {
  const keys: string[] = [];
  const values: Array<string | null> = [];
  const bytes: Array<Buffer | null> = [];
  const ttls: Array<number | null> = [];
  for (const entry of entries) {
    keys.push(entry.key);
    values.push(entry.value);
    bytes.push(entry.bytes);
    ttls.push(entry.ttlSeconds);
  }
  await statement.query(pgq, [namespace, keys, values, bytes, ttls, `${lockTimeoutMs}ms`]);
}
