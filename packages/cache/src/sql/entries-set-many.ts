import type { Executor, Pgq } from '@pgq/core';
import { Statement } from '@pgq/core/internal';
import type { StoredValue } from '../value-encoding.js';

// Prepared whatever the batch: its arrays are only inserted, one plan for any size.
const statement = new Statement(
  (
    pgq,
  ) => `insert into ${pgq.table('cache_entries')} as entry (namespace, key, value, bytes, expires_at, updated_at)
     select $1, batch.key, batch.value, batch.bytes,
            statement_timestamp() + $5::float8 * interval '1 second', statement_timestamp()
       from unnest($2::text[], $3::text[], $4::bytea[]) as batch(key, value, bytes)
     on conflict (namespace, key) do update
       set value = excluded.value, bytes = excluded.bytes,
           expires_at = excluded.expires_at, updated_at = excluded.updated_at`,
);

/**
 * Writes many entries in one statement (`unnest` of parallel arrays). Keys must be unique
 * within the batch: an upsert cannot touch one row twice. Rows are locked as they are
 * written, in the order given; concurrent batches over the same keys in different orders
 * could deadlock, so the caller sorts the keys.
 */
export async function entriesSetMany(
  pgq: Pgq,
  namespace: string,
  entries: ReadonlyArray<StoredValue & { key: string }>,
  ttlSeconds: number | undefined,
  tx?: Executor,
): Promise<void> {
  await statement.query(
    pgq,
    [
      namespace,
      entries.map((entry) => entry.key),
      entries.map((entry) => entry.value),
      entries.map((entry) => entry.bytes),
      ttlSeconds ?? null,
    ],
    { tx },
  );
}
