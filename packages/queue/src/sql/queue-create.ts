import type { Executor, Pgq } from '@pgq/core';

/** A queue's defaults as stored in `queues`. */
export interface QueueSettingsRow {
  name: string;
  max_attempts: number;
  lease_ms: number;
  completed_retention_seconds: number;
  dead_retention_seconds: number;
  created_at: Date;
}

/**
 * Creates a queue and its partition through the SQL function `create_queue` (so SQL and
 * TypeScript create queues alike). Returns false when it already existed. Concurrent creators
 * of one name are safe: the function's `on conflict do nothing` lets exactly one create the
 * partition.
 */
export async function queueCreate(
  pgq: Pgq,
  queue: string,
  settings: {
    maxAttempts: number;
    leaseMs: number;
    completedRetentionSeconds: number;
    deadRetentionSeconds: number;
  },
  tx?: Executor,
): Promise<boolean> {
  const rows = await pgq.query<{ created: boolean }>(
    `select ${pgq.quotedSchema}.create_queue($1, $2, $3, $4, $5) as created`,
    [
      queue,
      settings.maxAttempts,
      settings.leaseMs,
      settings.completedRetentionSeconds,
      settings.deadRetentionSeconds,
    ],
    { tx },
  );
  return rows[0]?.created ?? false;
}
