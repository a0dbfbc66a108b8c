/// <reference path="./sql.d.ts" />
import core from '../sql/0001_core.sql';
import queue from '../sql/0002_queue.sql';
import pubsub from '../sql/0003_pubsub.sql';
import cache from '../sql/0004_cache.sql';
import rpc from '../sql/0005_rpc.sql';
import schedules from '../sql/0006_schedules.sql';
import security from '../sql/0007_security.sql';
import pubsubAuth from '../sql/0008_pubsub_auth.sql';
import searchPath from '../sql/0009_search_path.sql';

/** One numbered migration file. */
export interface Migration {
  version: number;
  name: string;
  /** The file's SQL, with psql's `:"schema"` / `:'schema'` placeholders. */
  sql: string;
}

/** Every migration, in order. Never edit a released one: add the next number. */
export const migrations: readonly Migration[] = [
  { version: 1, name: '0001_core', sql: core },
  { version: 2, name: '0002_queue', sql: queue },
  { version: 3, name: '0003_pubsub', sql: pubsub },
  { version: 4, name: '0004_cache', sql: cache },
  { version: 5, name: '0005_rpc', sql: rpc },
  { version: 6, name: '0006_schedules', sql: schedules },
  { version: 7, name: '0007_security', sql: security },
  { version: 8, name: '0008_pubsub_auth', sql: pubsubAuth },
  { version: 9, name: '0009_search_path', sql: searchPath },
];

/** The newest migration's version. */
export const latestVersion = migrations[migrations.length - 1]!.version;
