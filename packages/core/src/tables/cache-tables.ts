import type { ColumnType, Generated } from 'kysely';

/** `cache_entries` (UNLOGGED): one row per cached key. */
export interface CacheEntryTable {
  namespace: string;
  key: string;
  /** JSON text of the value, or null when the value is bytes. */
  value: string | null;
  /** The value when it was a `Buffer`. */
  bytes: Buffer | null;
  expires_at: ColumnType<Date, Date | string, Date | string> | null;
  updated_at: Generated<Date>;
}
