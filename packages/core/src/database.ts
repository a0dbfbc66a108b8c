import type { Generated } from 'kysely';
import type { CacheEntryTable } from './tables/cache-tables.js';
import type { PubsubPayloadTable } from './tables/pubsub-tables.js';
import type {
  JobArchiveTable,
  JobTable,
  QueueTable,
  ScheduleTable,
  WorkerTable,
} from './tables/queue-tables.js';
import type { RpcReplyTable } from './tables/rpc-tables.js';

export type { CacheEntryTable } from './tables/cache-tables.js';
export type { PubsubPayloadTable } from './tables/pubsub-tables.js';
export type {
  JobArchiveTable,
  JobState,
  JobTable,
  QueueTable,
  ScheduleTable,
  WorkerTable,
} from './tables/queue-tables.js';
export type { RpcReplyTable } from './tables/rpc-tables.js';

/** `migrations`: one row per applied migration file. */
export interface MigrationTable {
  version: number;
  name: string;
  applied_at: Generated<Date>;
}

/**
 * Every pgq table, for `pgq.db` (a `Kysely<PgqDatabase>` already scoped to the pgq schema).
 *
 * @example
 * ```ts
 * const dead = await pgq.db.selectFrom('job_archive').where('state', '=', 'dead').selectAll().execute();
 * ```
 */
export interface PgqDatabase {
  migrations: MigrationTable;
  queues: QueueTable;
  jobs: JobTable;
  job_archive: JobArchiveTable;
  workers: WorkerTable;
  schedules: ScheduleTable;
  pubsub_payloads: PubsubPayloadTable;
  cache_entries: CacheEntryTable;
  rpc_replies: RpcReplyTable;
}
