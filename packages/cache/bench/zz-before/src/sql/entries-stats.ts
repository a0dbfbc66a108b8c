import type { Pgq } from '@pgq/core';

/** One namespace's figures, plus the whole table's size on disk. */
export interface EntriesStatsRow {
  entries: number;
  expired: number;
  payload_bytes: number;
  table_bytes: number;
}

/**
 * Counts one namespace's live and expired-but-unswept entries and their payload size, and
 * reads the size on disk of the whole table (every namespace, indexes and TOAST included).
 * A scan of the namespace through the primary key; no locks.
 */
export async function entriesStats(pgq: Pgq, namespace: string): Promise<EntriesStatsRow> {
  const table = pgq.table('cache_entries');
  const rows = await pgq.query<EntriesStatsRow>(
    `select count(*) filter (where expires_at is null or expires_at > now())::float8 as entries,
            count(*) filter (where expires_at <= now())::float8 as expired,
            coalesce(sum(coalesce(octet_length(value), 0) + coalesce(octet_length(bytes), 0)), 0)::float8
              as payload_bytes,
            pg_total_relation_size($2::regclass)::float8 as table_bytes
       from ${table}
      where namespace = $1`,
    [namespace, table],
  );
  return rows[0]!;
}
