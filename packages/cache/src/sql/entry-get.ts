import type { Executor, Pgq } from '@pgq/core';
import { Statement } from '@pgq/core/internal';
import type { StoredValue } from '../value-encoding.js';

const statement = new Statement(
  (pgq) => `select value, bytes from ${pgq.table('cache_entries')}
      where namespace = $1 and key = $2 and (expires_at is null or expires_at > now())`,
);

/**
 * Reads one live entry. A plain MVCC read: it takes no row lock, so readers never wait on
 * writers or the sweeper. Expiry is checked here against the database clock, so an expired
 * row is never returned even before the sweeper has deleted it.
 */
export async function entryGet(
  pgq: Pgq,
  namespace: string,
  key: string,
  tx?: Executor,
): Promise<StoredValue | undefined> {
  const rows = await statement.query<StoredValue>(pgq, [namespace, key], { tx });
  return rows[0];
}
