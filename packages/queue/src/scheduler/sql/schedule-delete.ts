import type { Executor, Pgq } from '@pgq/core';

/**
 * Deletes a schedule; returns false when there was none. A scheduler firing it holds its row
 * lock, so the delete waits for that tick to commit, and no tick fires after it.
 */
export async function scheduleDelete(pgq: Pgq, name: string, tx?: Executor): Promise<boolean> {
  const { rowCount } = await pgq.execute(
    `delete from ${pgq.table('schedules')} where name = $1`,
    [name],
    { tx },
  );
  return rowCount > 0;
}
