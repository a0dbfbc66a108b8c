import type { Pgq } from '@pgq/core';

/**
 * The cache namespaces that hold entries (expired ones not yet swept included), sorted.
 * Read-only; a DISTINCT over the primary key (namespace, key), so it reads the index rather
 * than the values.
 *
 * @example
 * ```ts
 * import { listCacheNamespaces } from '@pgq/cache';
 * import { connect } from '@pgq/core';
 *
 * const pgq = connect();
 * await listCacheNamespaces(pgq); // ['default', 'profiles']
 * ```
 */
export async function listCacheNamespaces(pgq: Pgq): Promise<string[]> {
  const rows = await pgq.query<{ namespace: string }>(
    `select distinct namespace from ${pgq.table('cache_entries')} order by namespace`,
  );
  return rows.map((row) => row.namespace);
}
