import { Cache } from '@pgq/cache';
import type { Pgq } from '@pgq/core';
import { PubSub } from '@pgq/pubsub';
import { RpcClient } from '@pgq/rpc';
import type { Kysely } from 'kysely';
import { type AppDatabase, openAppDatabase } from './app-database.js';
import { type AppQueues, openQueues } from './queues.js';

/** What the HTTP routes use: pgq's services and the app's database, on one pool. */
export interface AppServices {
  pgq: Pgq;
  db: Kysely<AppDatabase>;
  queues: AppQueues;
  bus: PubSub;
  cache: Cache;
  rpc: RpcClient;
  log: (line: string) => void;
  /** Closes the RPC client and every subscription, stops the cache sweeper; leaves `pgq` open. */
  close(): Promise<void>;
}

/**
 * Opens the services the HTTP side needs on a connected `pgq`, with the app's tables in
 * `appSchema`. Both schemas must be migrated already.
 *
 * @example
 * ```ts
 * const services = await openAppServices(pgq, 'example', console.log);
 * const app = createHttpApp(services);
 * ```
 */
export async function openAppServices(
  pgq: Pgq,
  appSchema: string,
  log: (line: string) => void = () => {},
): Promise<AppServices> {
  const db = openAppDatabase(pgq.pool, appSchema);
  const queues = await openQueues(pgq);
  const bus = new PubSub(pgq);
  const cache = new Cache(pgq, { namespace: 'example' });
  await cache.start();
  const rpc = new RpcClient(pgq);
  return {
    pgq,
    db,
    queues,
    bus,
    cache,
    rpc,
    log,
    async close() {
      await Promise.all([rpc.close(), bus.close(), cache.stop()]);
    },
  };
}
