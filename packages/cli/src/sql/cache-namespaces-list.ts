import type { Pgq } from '@pgq/core';

/**
 * The cache namespaces that hold entries, sorted. Read-only; a plain DISTINCT over the
 * primary key (namespace, key), so it reads the index rather than the values.
 *
 * @example
 * ```ts
 * await cacheNamespacesList(pgq); // ['default', 'profiles']
 * ```
 */
export async function cacheNamespacesList(pgq: Pgq): Promise<string[]> {
  const rows = await pgq.query<{ namespace: string }>(
    `select distinct namespace from ${pgq.table('cache_entries')} order by namespace`,
  );
  return rows.map((row) => row.namespace);
}
