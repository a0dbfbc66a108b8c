import type { Pgq } from '@pgq/core';

/**
 * Removes registry rows not seen for `staleMs` (database clock): workers that died without
 * stopping. Their jobs are rescued separately, by lease expiry. Returns how many went.
 */
export async function workersPrune(pgq: Pgq, staleMs: number): Promise<number> {
  const { rowCount } = await pgq.execute(
    `delete from ${pgq.table('workers')}
      where last_seen_at < now() - $1::float8 * interval '1 millisecond'`,
    [staleMs],
  );
  return rowCount;
}
