import { createHash } from 'node:crypto';
import { Kysely, PostgresDialect } from 'kysely';
import type pg from 'pg';
import type { PgqDatabase } from './database.js';
import { NotInstalledError } from './errors/not-installed-error.js';
import { NotifyQueueFullError } from './errors/notify-queue-full-error.js';
import { SqlState, sqlStateOf } from './errors/sql-state.js';
import { type Executor, runOn } from './executor.js';
import type { Listener } from './listener.js';
import type { Logger } from './logger.js';
import { maxNameLength, quoteIdentifier } from './names.js';
import { defaultMaxValueBytes } from './value-size.js';

/** Options of `Pgq.query`. */
export interface QueryOptions {
  /** Run on the app's transaction instead of the pool. */
  tx?: Executor | undefined;
  /**
   * Run as a named prepared statement (parsed and planned once per connection): for
   * hot-path statements whose text never changes. Ignored with a Kysely `tx`, and when
   * `connect({ preparedStatements: false })` (e.g. behind PgBouncer without prepared
   * statement support).
   */
  prepare?: boolean | undefined;
}

// What a pooler that does not keep named prepared statements (PgBouncer in transaction mode
// before 1.21) answers when a connection's statement ran on another server session:
// `invalid_sql_statement_name` (not prepared there) or `duplicate_prepared_statement`
// (prepared there already). Either way the statement did not run.
const preparedStatementLostStates: ReadonlySet<string> = new Set([
  SqlState.invalidSqlStatementName,
  SqlState.duplicatePreparedStatement,
]);

const missingObjectStates: ReadonlySet<string> = new Set([
  SqlState.undefinedTable,
  SqlState.undefinedFunction,
  SqlState.invalidSchemaName,
  SqlState.undefinedObject,
]);

/**
 * A connection to pgq: the pool, the typed Kysely instance, the schema and the shared
 * LISTEN connection. Made by `connect()`; pass it to `Queue`, `PubSub`, `Cache`, `RpcClient`.
 * Close it with `close()`, or let `await using` do it.
 */
export class Pgq {
  /** Kysely over every pgq table, scoped to `schema`. */
  readonly db: Kysely<PgqDatabase>;
  /** The pool every statement runs on (unless a `tx` is given). */
  readonly pool: pg.Pool;
  /** The schema every pgq table lives in. */
  readonly schema: string;
  /** The schema quoted for SQL text: `"pgq"`. */
  readonly quotedSchema: string;
  /** The one shared LISTEN connection of this `Pgq`. */
  readonly listener: Listener;
  readonly logger: Logger;
  /** The largest value pgq stores, in bytes (`connect({ maxValueBytes })`, default 1 MiB). */
  readonly maxValueBytes: number;
  readonly #ownsPool: boolean;
  #preparedStatements: boolean;
  readonly #statementNames = new Map<string, string>();
  #closed = false;

  /** @internal Use `connect()`. */
  constructor(parts: {
    pool: pg.Pool;
    preparedStatements?: boolean;
    ownsPool: boolean;
    schema: string;
    listener: Listener;
    logger: Logger;
    maxValueBytes?: number;
  }) {
    this.pool = parts.pool;
    this.#ownsPool = parts.ownsPool;
    this.#preparedStatements = parts.preparedStatements ?? true;
    this.schema = parts.schema;
    this.quotedSchema = quoteIdentifier(parts.schema);
    this.listener = parts.listener;
    this.logger = parts.logger;
    this.maxValueBytes = parts.maxValueBytes ?? defaultMaxValueBytes;
    this.db = new Kysely<PgqDatabase>({
      dialect: new PostgresDialect({ pool: parts.pool }),
    }).withSchema(parts.schema);
  }

  /** True once `close()` was called. */
  get closed(): boolean {
    return this.#closed;
  }

  /**
   * Whether hot-path statements run as named prepared statements: false when turned off in
   * `connect()`, or since a pooler lost one (see `ConnectOptions.preparedStatements`).
   */
  get preparedStatements(): boolean {
    return this.#preparedStatements;
  }

  /** A pgq table's schema-qualified, quoted name, for SQL text: `"pgq"."jobs"`. */
  table(name: string): string {
    return `${this.quotedSchema}.${quoteIdentifier(name)}`;
  }

  /**
   * The NOTIFY channel for `name` in this schema. Channels are identifiers (63 bytes at most),
   * so a long one is replaced by a hash every process computes alike.
   */
  channel(name: string): string {
    const channel = `${this.schema}.${name}`;
    if (Buffer.byteLength(channel) <= maxNameLength) return channel;
    return `pgq_${createHash('sha256').update(channel).digest('hex').slice(0, 40)}`;
  }

  /**
   * Runs one parameterised statement (on `options.tx` when given) and returns its rows.
   * A statement that fails because pgq's tables are missing throws `NotInstalledError`.
   */
  async query<Row = Record<string, unknown>>(
    text: string,
    values: readonly unknown[] = [],
    options: QueryOptions = {},
  ): Promise<Row[]> {
    return (await this.execute<Row>(text, values, options)).rows;
  }

  /** Like `query`, with the affected-row count. */
  async execute<Row = Record<string, unknown>>(
    text: string,
    values: readonly unknown[] = [],
    options: QueryOptions = {},
  ): Promise<{ rows: Row[]; rowCount: number }> {
    try {
      const executor = options.tx ?? this.pool;
      if (options.prepare && this.#preparedStatements && !('executeQuery' in executor)) {
        try {
          return await this.#runPrepared<Row>(executor as pg.Pool, text, values);
        } catch (error) {
          if (!preparedStatementLostStates.has(sqlStateOf(error) ?? '')) throw error;
          this.#stopPreparing(error);
          // The statement did not run, so running it again is safe; but in the app's
          // transaction the error aborted everything, and the app must retry.
          if (options.tx) throw error;
        }
      }
      return await runOn<Row>(executor, text, values);
    } catch (error) {
      throw this.translateError(error);
    }
  }

  async #runPrepared<Row>(
    executor: pg.Pool,
    text: string,
    values: readonly unknown[],
  ): Promise<{ rows: Row[]; rowCount: number }> {
    const result = await executor.query({
      name: this.#statementName(text),
      text,
      values: [...values],
    });
    return { rows: result.rows as Row[], rowCount: result.rowCount ?? result.rows.length };
  }

  #stopPreparing(error: unknown): void {
    if (!this.#preparedStatements) return;
    this.#preparedStatements = false;
    this.logger.warn(
      'pgq: a named prepared statement was lost between server sessions (a transaction-mode pooler such as PgBouncer before 1.21?); running every statement unprepared from now on. Pass connect({ preparedStatements: false }) to skip this.',
      { error: error instanceof Error ? error.message : String(error) },
    );
  }

  // A statement's name must be unique per text on a connection; a hash of the text is.
  #statementName(text: string): string {
    let name = this.#statementNames.get(text);
    if (!name) {
      name = `pgq_${createHash('sha1').update(text).digest('hex').slice(0, 24)}`;
      this.#statementNames.set(text, name);
    }
    return name;
  }

  /**
   * Turns a `pg` error caused by a missing pgq schema into `NotInstalledError`, and a commit
   * refused for a full NOTIFY queue into `NotifyQueueFullError`.
   */
  translateError(error: unknown): unknown {
    const state = sqlStateOf(error);
    if (
      state === SqlState.programLimitExceeded &&
      error instanceof Error &&
      error.message.includes('NOTIFY queue')
    ) {
      return new NotifyQueueFullError({ cause: error });
    }
    if (
      state &&
      missingObjectStates.has(state) &&
      error instanceof Error &&
      error.message.includes(this.schema)
    ) {
      return new NotInstalledError(this.schema, { cause: error });
    }
    return error;
  }

  /** Ends the listener and, when pgq made it, the pool. Safe to call twice. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.listener.close();
    if (this.#ownsPool) await this.pool.end();
  }

  /**
   * `close()`, for `await using`: the listener and (when pgq made it) the pool end as the
   * block exits, however it exits.
   *
   * @example
   * ```ts
   * await using pgq = connect();
   * await new Queue(pgq, 'emails').enqueue({ to: 'ada@example.com' });
   * // pgq.close() has run here
   * ```
   */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}
