import type { Pgq } from '@pgq/core';

/**
 * Adds a worker to the registry, or marks it seen now when it is there already: the worker's
 * periodic heartbeat calls it too, so a row removed as stale (after a long pause) comes back.
 */
export async function workerRegister(
  pgq: Pgq,
  worker: { id: string; hostname: string; pid: number; queues: string[] },
): Promise<void> {
  await pgq.query(
    `insert into ${pgq.table('workers')} (id, hostname, pid, queues) values ($1, $2, $3, $4)
     on conflict (id) do update set last_seen_at = now()`,
    [worker.id, worker.hostname, worker.pid, worker.queues],
  );
}
