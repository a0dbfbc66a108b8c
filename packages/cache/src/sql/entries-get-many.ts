import type { Pgq } from '@pgq/core';
import { Statement } from '@pgq/core/internal';
import type { StoredValue } from '../value-encoding.js';

const statement = new Statement(
  (pgq) => `select wanted.key, entry.value, entry.bytes
       from pg_catalog.unnest($2::text[]) as wanted(key)
      cross join lateral (
        select value, bytes from ${pgq.table('cache_entries')}
         where namespace = $1 and key = wanted.key
           and (expires_at is null or expires_at > now())
        offset 0) as entry`,
);

/**
 * Reads the live entries among `keys` (unique) in one statement; no row locks, as
 * `entryGet`. It serves `getMany` and every coalesced batch of `get` calls, prepared once per
 * connection.
 *
 * Written as one primary-key probe per key (a LATERAL subquery that `offset 0` keeps from
 * being flattened into a join) rather than `key = any($2)`: a prepared statement's generic
 * plan is chosen once, often while the table is small or has no statistics, and for
 * `key = any($2)` it then picks `cache_entries_eviction` on the namespace alone, reading the
 * whole namespace for a few keys for as long as the plan is cached. A unique-key equality has
 * no such alternative: every plan, generic or custom, probes the primary key
 * (`test/plans.test.ts` checks it).
 *
 * `pg_catalog.unnest`, qualified: a one-argument `unnest` call resolves by the caller's
 * search_path, where an `unnest(text[])` of someone else's (an exact match, where
 * pg_catalog's takes `anyarray`) would win and run as this role (issue 26).
 */
export async function entriesGetMany(
  pgq: Pgq,
  namespace: string,
  keys: readonly string[],
): Promise<Array<StoredValue & { key: string }>> {
  return statement.query<StoredValue & { key: string }>(pgq, [namespace, keys]);
}
