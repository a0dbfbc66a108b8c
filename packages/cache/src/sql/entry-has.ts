import type { Pgq } from '@pgq/core';
import { Statement } from '@pgq/core/internal';

const statement = new Statement(
  (pgq) => `select exists (
       select from ${pgq.table('cache_entries')}
        where namespace = $1 and key = $2 and (expires_at is null or expires_at > now())
     ) as found`,
);

/** True when a live entry exists. A primary-key probe; no locks, no value transferred. */
export async function entryHas(pgq: Pgq, namespace: string, key: string): Promise<boolean> {
  const rows = await statement.query<{ found: boolean }>(pgq, [namespace, key]);
  return rows[0]?.found ?? false;
}
