import type { Executor, Pgq } from '@pgq/core';

/**
 * Changes the given defaults of an existing queue (null leaves one as it is). Applies to jobs
 * enqueued (max attempts) or claimed (lease) from now on. Locks the queue's row for the
 * statement.
 */
export async function queueUpdate(
  pgq: Pgq,
  queue: string,
  settings: {
    maxAttempts: number | null;
    leaseMs: number | null;
    completedRetentionSeconds: number | null;
    deadRetentionSeconds: number | null;
  },
  tx?: Executor,
): Promise<void> {
  await pgq.query(
    `update ${pgq.table('queues')}
        set max_attempts = coalesce($2, max_attempts),
            lease_ms = coalesce($3, lease_ms),
            completed_retention_seconds = coalesce($4, completed_retention_seconds),
            dead_retention_seconds = coalesce($5, dead_retention_seconds)
      where name = $1`,
    [
      queue,
      settings.maxAttempts,
      settings.leaseMs,
      settings.completedRetentionSeconds,
      settings.deadRetentionSeconds,
    ],
    { tx },
  );
}
