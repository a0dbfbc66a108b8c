import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { SystemAdapter } from './adapters/adapter.js';
import { settings } from './settings.js';
import type { WorkloadKind } from './workloads.js';

/** The systems under test. */
export type SystemName = 'pgq' | 'graphile-worker' | 'pg-boss' | 'bullmq' | 'pg' | 'redis';

/** A system: what it is, what it can run, how it is tuned; `load` imports its adapter. */
export interface SystemInfo {
  name: SystemName;
  label: string;
  store: 'postgres' | 'redis';
  /** The npm package whose version the report prints. */
  packageName: string;
  /** How the report names that package, when not by `packageName`. */
  packageLabel?: string;
  kinds: readonly WorkloadKind[];
  /** The settings it runs with, printed with the results. */
  settings: string;
  /** Imported in the child only, so a child loads just its own system's library. */
  load(): Promise<SystemAdapter>;
}

const { concurrency, poolSize, pgBoss, graphileWorker } = settings;

/**
 * Every system, pgq first. Ratios are pgq ÷ each of the others.
 *
 * @example
 * ```ts
 * const peers = systems.filter((system) => system.name !== 'pgq' && system.kinds.includes('queue'));
 * ```
 */
export const systems: readonly SystemInfo[] = [
  {
    name: 'pgq',
    label: 'pgq',
    store: 'postgres',
    packageName: '@pgq/core',
    packageLabel: '@pgq/*',
    kinds: ['queue', 'pubsub', 'cache', 'rpc'],
    settings: `Worker/RpcServer concurrency ${concurrency}, Worker prefetch ${settings.prefetch}, pool max ${poolSize}, otherwise defaults`,
    load: async () => (await import('./adapters/pgq.js')).pgqAdapter,
  },
  {
    name: 'graphile-worker',
    label: 'graphile-worker',
    store: 'postgres',
    packageName: 'graphile-worker',
    kinds: ['queue'],
    settings: `concurrency ${concurrency}, localQueue.size ${graphileWorker.localQueueSize}, completeJobBatchDelay ${graphileWorker.completeJobBatchDelay}, failJobBatchDelay ${graphileWorker.failJobBatchDelay}, maxPoolSize ${poolSize}; addJobs() for batches, addJob() for one`,
    load: async () => (await import('./adapters/graphile-worker.js')).graphileWorkerAdapter,
  },
  {
    name: 'pg-boss',
    label: 'pg-boss',
    store: 'postgres',
    packageName: 'pg-boss',
    kinds: ['queue'],
    settings: `${pgBoss.workers} work() workers, batchSize ${pgBoss.batchSize}, pollingIntervalSeconds ${pgBoss.pollingIntervalSeconds}, max ${poolSize}; insert() for batches, send() for one`,
    load: async () => (await import('./adapters/pg-boss.js')).pgBossAdapter,
  },
  {
    name: 'bullmq',
    label: 'BullMQ',
    store: 'redis',
    packageName: 'bullmq',
    kinds: ['queue'],
    settings: `Worker concurrency ${concurrency}; addBulk() for batches, add() for one; completed jobs kept (default)`,
    load: async () => (await import('./adapters/bullmq.js')).bullmqAdapter,
  },
  {
    name: 'pg',
    label: 'raw pg',
    store: 'postgres',
    packageName: 'pg',
    kinds: ['pubsub', 'cache'],
    settings: `pool max ${poolSize}, named prepared statements; P1: pg_notify() + one LISTEN client; C1: UNLOGGED table, INSERT … ON CONFLICT DO UPDATE, GET filters on expiry`,
    load: async () => (await import('./adapters/raw-pg.js')).rawPgAdapter,
  },
  {
    name: 'redis',
    label: 'Redis',
    store: 'redis',
    packageName: 'ioredis',
    kinds: ['pubsub', 'cache'],
    settings:
      'ioredis defaults (one connection, no auto-pipelining); P1: PUBLISH + a SUBSCRIBE connection; C1: SET EX / GET',
    load: async () => (await import('./adapters/redis.js')).redisAdapter,
  },
];

/** The system with this name. */
export function systemByName(name: SystemName): SystemInfo {
  const system = systems.find((candidate) => candidate.name === name);
  if (!system) throw new Error(`Unknown system ${name}`);
  return system;
}

/** The installed version of a system's package (read from apps/bench/node_modules). */
export function packageVersion(packageName: string): string {
  const path = fileURLToPath(
    new URL(`../node_modules/${packageName}/package.json`, import.meta.url),
  );
  try {
    return (JSON.parse(readFileSync(path, 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}
