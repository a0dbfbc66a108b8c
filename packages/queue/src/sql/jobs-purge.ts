import type { Executor, Pgq } from '@pgq/core';

/**
 * Deletes every waiting (`pending`, scheduled included) job of a queue; active jobs run on.
 * Purged jobs are not archived. Returns how many went. Rows being claimed right now are
 * locked by the claim; the delete waits for it and then skips them (no longer pending).
 */
export async function jobsPurge(pgq: Pgq, queue: string, tx?: Executor): Promise<number> {
  const { rowCount } = await pgq.execute(
    `delete from ${pgq.table('jobs')} where queue = $1 and state = 'pending'`,
    [queue],
    { tx },
  );
  return rowCount;
}
