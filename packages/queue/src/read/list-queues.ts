import { assertName, type Pgq } from '@pgq/core';
import type { QueueSettingsRow } from '../sql/queue-create.js';

/** A queue and the defaults its jobs get, from `listQueues`. */
export interface QueueListing {
  name: string;
  /** Attempts before a job is dead. */
  maxAttempts: number;
  /** How long a claim holds a job before another worker may take it. */
  leaseMs: number;
  /** How long completed jobs stay in the archive. */
  completedRetentionMs: number;
  /** How long dead and cancelled jobs stay in the archive. */
  deadRetentionMs: number;
  createdAt: Date;
}

/** Options of `listQueues`. */
export interface ListQueuesOptions {
  /** Only the queue of this name: an empty list when there is none. Default: every queue. */
  name?: string;
}

/**
 * Every queue of the schema with its defaults, in name order. Read-only, from the small
 * `queues` table; an unknown `name` gives an empty list, which makes it the way to ask
 * whether a queue exists without creating it.
 *
 * @example
 * ```ts
 * import { connect } from '@pgq/core';
 * import { listQueues } from '@pgq/queue';
 *
 * const pgq = connect();
 * for (const queue of await listQueues(pgq)) console.log(queue.name, queue.maxAttempts);
 * const exists = (await listQueues(pgq, { name: 'emails' })).length > 0;
 * ```
 */
export async function listQueues(
  pgq: Pgq,
  options: ListQueuesOptions = {},
): Promise<QueueListing[]> {
  const name = options.name === undefined ? null : assertName('queue', options.name);
  const rows = await pgq.query<QueueSettingsRow>(
    `select name, max_attempts, lease_ms, completed_retention_seconds, dead_retention_seconds,
            created_at
       from ${pgq.table('queues')}
      where $1::text is null or name = $1
      order by name`,
    [name],
  );
  return rows.map((row) => ({
    name: row.name,
    maxAttempts: row.max_attempts,
    leaseMs: row.lease_ms,
    completedRetentionMs: row.completed_retention_seconds * 1_000,
    deadRetentionMs: row.dead_retention_seconds * 1_000,
    createdAt: row.created_at,
  }));
}
