import type { ColumnType, Generated } from 'kysely';

/** `cache_entries` (UNLOGGED: emptied by a crash, not replicated): one row per cached key. */
export interface CacheEntryTable {
  /** The cache's namespace (a validated pgq name). */
  namespace: string;
  /** The key: any string of at most 2048 UTF-8 bytes. */
  key: string;
  /** JSON text of the value, or null when the value is bytes. */
  value: string | null;
  /** The value when it was a `Buffer`. */
  bytes: Buffer | null;
  /** Null: never expires. A row with `expires_at <= now()` is expired, swept or not. */
  expires_at: ColumnType<Date, Date | string, Date | string> | null;
  updated_at: Generated<Date>;
}
