import pg from 'pg';
import { Listener, type ListenerClient } from './listener.js';
import { type Logger, silentLogger } from './logger.js';
import { assertSchemaName } from './names.js';
import { Pgq } from './pgq.js';

/** Options of `connect()`. */
export interface ConnectOptions {
  /** PostgreSQL URL. Default: `PGQ_DATABASE_URL`, then `DATABASE_URL`, then `pg`'s own defaults. */
  connectionString?: string;
  /** Use this pool instead of making one; `close()` then leaves it open. */
  pool?: pg.Pool;
  /** The schema every pgq table lives in. Default `'pgq'`. */
  schema?: string;
  /** Pool size when pgq makes the pool. Default 10. */
  max?: number;
  /** Where pgq reports what it does. Default: silent. */
  logger?: Logger;
  /**
   * Run hot-path statements as named prepared statements. Turn off behind a pooler that
   * cannot keep them (PgBouncer in transaction mode before 1.21). Default `true`.
   */
  preparedStatements?: boolean;
  /** How often the listener checks its own session. Default 5000 ms. */
  listenerHealthCheckIntervalMs?: number;
}

/**
 * Connects pgq to PostgreSQL. Nothing is opened until the first query; the listener
 * connection opens on the first LISTEN.
 *
 * @example
 * ```ts
 * import { connect } from '@pgq/core';
 * const pgq = connect({ connectionString: process.env.DATABASE_URL, schema: 'pgq' });
 * // ... use it with Queue, PubSub, Cache, RpcClient
 * await pgq.close();
 * ```
 */
export function connect(options: ConnectOptions = {}): Pgq {
  const schema = assertSchemaName(options.schema ?? 'pgq');
  const logger = options.logger ?? silentLogger;
  const ownsPool = options.pool === undefined;
  const pool =
    options.pool ??
    new pg.Pool({
      connectionString:
        options.connectionString ?? process.env.PGQ_DATABASE_URL ?? process.env.DATABASE_URL,
      max: options.max ?? 10,
    });
  // An idle client's error (e.g. the server restarting) must not crash the app.
  if (ownsPool)
    pool.on('error', (error) => logger.warn('pgq pool client error', { error: error.message }));

  const poolWithOptions = pool as pg.Pool & {
    options?: pg.ClientConfig;
    Client?: typeof pg.Client;
  };
  const ClientClass = poolWithOptions.Client ?? pg.Client;
  const listener = new Listener({
    logger,
    ...(options.listenerHealthCheckIntervalMs === undefined
      ? {}
      : { healthCheckIntervalMs: options.listenerHealthCheckIntervalMs }),
    connect: async () => {
      const client = new ClientClass({ ...poolWithOptions.options, keepAlive: true });
      await client.connect();
      return client as unknown as ListenerClient;
    },
  });
  return new Pgq({
    pool,
    ownsPool,
    schema,
    listener,
    logger,
    preparedStatements: options.preparedStatements ?? true,
  });
}
