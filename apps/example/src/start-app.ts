import type { Pgq } from '@pgq/core';
import { migrateApp } from './app-migrations.js';
import { type AppServices, openAppServices } from './app-services.js';
import { createHttpApp } from './http-app.js';
import { listen } from './http-server.js';
import { type RunningWorker, startWorker } from './worker.js';

/** Options of `startApp`. */
export interface StartAppOptions {
  /** A connected `pgq` whose schema is migrated (`@pgq/migrate`). The app never closes it. */
  pgq: Pgq;
  /** The schema of the app's own tables, migrated at start. Default `'example'`. */
  appSchema?: string;
  /** HTTP port; 0 takes a free one. Default 3000. */
  port?: number;
  /** Interface to listen on. Default `'127.0.0.1'`. */
  hostname?: string;
  /** Run the worker in this process too. Default true. */
  worker?: boolean;
  /** Where the app reports what it does. Default: nowhere. */
  log?: (line: string) => void;
}

/** The app, running. */
export interface RunningApp {
  /** `http://127.0.0.1:<port>` */
  url: string;
  port: number;
  services: AppServices;
  /** The in-process worker, unless `worker: false`. */
  worker: RunningWorker | undefined;
  /**
   * Stops the HTTP server (SSE streams end, requests in flight finish), then the worker
   * (running jobs finish), then the services. Leaves `pgq` open. Safe to call twice.
   */
  stop(): Promise<void>;
}

/**
 * Migrates the app's schema, then starts its HTTP server and (by default) its worker.
 *
 * @example
 * ```ts
 * const pgq = connect({ connectionString: process.env.DATABASE_URL });
 * await migrate(pgq);
 * const app = await startApp({ pgq, port: 3000, log: console.log });
 * process.once('SIGINT', async () => { await app.stop(); await pgq.close(); });
 * ```
 */
export async function startApp(options: StartAppOptions): Promise<RunningApp> {
  const { pgq } = options;
  const appSchema = options.appSchema ?? 'example';
  const log = options.log ?? (() => {});
  await migrateApp(pgq.pool, appSchema);
  const services = await openAppServices(pgq, appSchema, log);
  const closing = new AbortController();
  let worker: RunningWorker | undefined;
  try {
    if (options.worker !== false) worker = await startWorker({ pgq, db: services.db, log });
    const server = await listen(createHttpApp(services, { closing: closing.signal }), {
      port: options.port ?? 3000,
      ...(options.hostname === undefined ? {} : { hostname: options.hostname }),
    });
    let stopping: Promise<void> | undefined;
    const stop = async (): Promise<void> => {
      closing.abort();
      await server.close();
      await worker?.stop();
      await services.close();
    };
    return {
      url: server.url,
      port: server.port,
      services,
      worker,
      stop: () => {
        stopping ??= stop();
        return stopping;
      },
    };
  } catch (error) {
    await worker?.stop();
    await services.close();
    throw error;
  }
}
