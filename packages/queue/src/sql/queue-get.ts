import type { Pgq } from '@pgq/core';
import type { QueueSettingsRow } from './queue-create.js';

/** A queue's stored defaults, or undefined when there is no such queue. */
export async function queueGet(pgq: Pgq, queue: string): Promise<QueueSettingsRow | undefined> {
  const rows = await pgq.query<QueueSettingsRow>(
    `select name, max_attempts, lease_ms, completed_retention_seconds, dead_retention_seconds,
            created_at
       from ${pgq.table('queues')} where name = $1`,
    [queue],
  );
  return rows[0];
}
