import pg from 'pg';
import { Listener, type ListenerClient } from './listener.js';
import { type Logger, silentLogger } from './logger.js';
import { assertSchemaName } from './names.js';
import { Pgq } from './pgq.js';
import { defaultMaxValueBytes, valueSizeLimit } from './value-size.js';

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
   * cannot keep them (PgBouncer in transaction mode before 1.21, or with
   * `max_prepared_statements = 0`). Left on there, pgq turns them off itself at the first
   * statement the pooler loses (one warning), and runs that statement again unprepared,
   * unless it ran in the app's transaction, which the error aborted. Default `true`.
   */
  preparedStatements?: boolean;
  /**
   * Where the LISTEN connection goes, when `connectionString` leads to a transaction-mode
   * pooler (PgBouncer), through which notifications never arrive: a URL that reaches
   * PostgreSQL directly (or through a session-mode pool). Without one, pgq finds out on the
   * first LISTEN, warns once and falls back to polling. Default: `PGQ_LISTENER_DATABASE_URL`,
   * then the pool's own settings.
   */
  listenerConnectionString?: string;
  /** How often the listener checks its own session. Default 5000 ms. */
  listenerHealthCheckIntervalMs?: number;
  /** How often pgq polls when LISTEN is unavailable. Default 1000 ms. */
  listenerPollIntervalMs?: number;
  /**
   * The largest value pgq stores, in bytes of its JSON text: job payloads (`enqueue`,
   * `enqueueMany`, schedules) and results, RPC requests and replies, and cache values unless
   * the `Cache` sets its own. A larger one throws `PayloadTooLargeError` before anything is
   * sent. At most 268,435,455 (PostgreSQL's limit on a `jsonb` value). Default 1,048,576 (1 MiB).
   */
  maxValueBytes?: number;
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
  const maxValueBytes = valueSizeLimit(
    'maxValueBytes',
    options.maxValueBytes,
    defaultMaxValueBytes,
  );
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
  const listenerConnectionString =
    options.listenerConnectionString ?? process.env.PGQ_LISTENER_DATABASE_URL;
  const listenerConfig: pg.ClientConfig = listenerConnectionString
    ? { connectionString: listenerConnectionString }
    : { ...poolWithOptions.options };
  const listener = new Listener({
    logger,
    ...(options.listenerHealthCheckIntervalMs === undefined
      ? {}
      : { healthCheckIntervalMs: options.listenerHealthCheckIntervalMs }),
    ...(options.listenerPollIntervalMs === undefined
      ? {}
      : { pollIntervalMs: options.listenerPollIntervalMs }),
    connect: async () => {
      const client = new ClientClass({ ...listenerConfig, keepAlive: true });
      await client.connect();
      return client as unknown as ListenerClient;
    },
    // From a pool connection: a NOTIFY that must come back proves LISTEN works (see Listener).
    notify: async (channel, payload) => {
      await pool.query('select pg_notify($1, $2)', [channel, payload]);
    },
  });
  return new Pgq({
    pool,
    ownsPool,
    schema,
    listener,
    logger,
    preparedStatements: options.preparedStatements ?? true,
    maxValueBytes,
  });
}
