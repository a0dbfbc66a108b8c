import type { Executor, Pgq } from '@pgq/core';

/**
 * Deletes a queue, its live jobs (drops its partition) and its archive through the SQL
 * function `delete_queue`. Returns false when it did not exist. Dropping a partition takes a
 * brief exclusive lock on `jobs`, which pauses claims on every queue for that moment.
 */
export async function queueDelete(pgq: Pgq, queue: string, tx?: Executor): Promise<boolean> {
  const rows = await pgq.query<{ deleted: boolean }>(
    `select ${pgq.quotedSchema}.delete_queue($1) as deleted`,
    [queue],
    { tx },
  );
  return rows[0]?.deleted ?? false;
}
