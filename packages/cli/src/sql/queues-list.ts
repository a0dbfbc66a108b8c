import type { Pgq } from '@pgq/core';

/** A queue and its defaults, as `pgq queue list` shows them. */
export interface QueueListing {
  name: string;
  maxAttempts: number;
  leaseMs: number;
  completedRetentionSeconds: number;
  deadRetentionSeconds: number;
  createdAt: Date;
}

/**
 * Every queue of the schema with its defaults, by name (or only `name`). Read-only, from the
 * small `queues` table.
 *
 * @example
 * ```ts
 * const queues = await queuesList(pgq);
 * ```
 */
export async function queuesList(pgq: Pgq, name?: string): Promise<QueueListing[]> {
  let query = pgq.db
    .selectFrom('queues')
    .select([
      'name',
      'max_attempts',
      'lease_ms',
      'completed_retention_seconds',
      'dead_retention_seconds',
      'created_at',
    ])
    .orderBy('name');
  if (name !== undefined) query = query.where('name', '=', name);
  try {
    const rows = await query.execute();
    return rows.map((row) => ({
      name: row.name,
      maxAttempts: row.max_attempts,
      leaseMs: row.lease_ms,
      completedRetentionSeconds: row.completed_retention_seconds,
      deadRetentionSeconds: row.dead_retention_seconds,
      createdAt: row.created_at,
    }));
  } catch (error) {
    throw pgq.translateError(error);
  }
}
