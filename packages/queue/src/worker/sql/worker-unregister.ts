import type { Pgq } from '@pgq/core';

/** Removes a stopped worker from the registry. */
export async function workerUnregister(pgq: Pgq, workerId: string): Promise<void> {
  await pgq.query(`delete from ${pgq.table('workers')} where id = $1`, [workerId]);
}
