import { connect, type Pgq, PgqError } from '@pgq/core';
import pg from 'pg';
import type { CliIo } from './cli-io.js';
import { connectionErrorFrom } from './connection-error-from.js';
import { databaseUrlProblem, hidePassword } from './database-url.js';
import { ConfigError } from './errors/config-error.js';
import { UsageError } from './errors/usage-error.js';
import { type ResolvedConfig, resolveConfig } from './resolve-config.js';
import { terminalJson, terminalText } from './terminal-text.js';

/** The options every `pgq` command takes. */
export interface GlobalOptions {
  databaseUrl?: string | undefined;
  schema?: string | undefined;
  json?: boolean | undefined;
}

// Without it, a host that drops packets would hang the command for minutes.
const connectTimeoutMs = 10_000;

/**
 * What a running command needs: its output streams, the resolved config and, on first use,
 * one connection to pgq, closed when the command ends.
 *
 * @example
 * ```ts
 * const pgq = await context.connect();
 * context.print(await verify(pgq), (result) => (result.ok ? 'ok' : result.problems.join('\n')));
 * ```
 */
export class CliContext {
  readonly io: CliIo;
  /** Set by a command that finished but failed (e.g. `verify` found problems). */
  exitCode = 0;
  #options: GlobalOptions = {};
  #config: ResolvedConfig | undefined;
  #pgq: Pgq | undefined;
  #pool: pg.Pool | undefined;

  constructor(io: CliIo) {
    this.io = io;
  }

  /** Called before each action with the parsed global options. */
  setGlobalOptions(options: GlobalOptions): void {
    this.#options = options;
    this.#config = undefined;
  }

  /** True when `--json` was given: print for machines. */
  get json(): boolean {
    return this.#options.json === true;
  }

  /** The database URL and schema, by precedence: flags, environment, `pgq.config.json`. */
  config(): ResolvedConfig {
    this.#config ??= resolveConfig({
      flags: { databaseUrl: this.#options.databaseUrl, schema: this.#options.schema },
      env: this.io.env,
      cwd: this.io.cwd,
    });
    return this.#config;
  }

  /** The `Pgq` of this command, connected on first call; a failure names the host it tried. */
  async connect(): Promise<Pgq> {
    if (this.#pgq) return this.#pgq;
    const { databaseUrl, schema, sources, configFile } = this.config();
    const problem = databaseUrl === undefined ? undefined : databaseUrlProblem(databaseUrl);
    if (databaseUrl !== undefined && problem !== undefined) {
      const message = `Invalid database URL "${hidePassword(databaseUrl)}" from ${sources.databaseUrl === 'flag' ? '--database-url' : sources.databaseUrl}: ${problem}`;
      if (sources.databaseUrl === 'flag') throw new UsageError(message);
      if (sources.databaseUrl === 'pgq.config.json' && configFile) {
        throw new ConfigError(configFile, `invalid "databaseUrl": ${problem}`);
      }
      throw new PgqError('PGQ_CLI_CONFIG', message);
    }
    const pool = new pg.Pool({
      // An explicit undefined would stop pg from reading PGHOST, PGPORT and friends.
      ...(databaseUrl === undefined ? {} : { connectionString: databaseUrl }),
      max: 4,
      connectionTimeoutMillis: connectTimeoutMs,
      application_name: 'pgq-cli',
    });
    pool.on('error', () => {});
    this.#pool = pool;
    const pgq = connect({ pool, schema });
    this.#pgq = pgq;
    try {
      (await pool.connect()).release();
    } catch (error) {
      throw connectionErrorFrom(error, this.address()) ?? error;
    }
    return pgq;
  }

  /** `host:port` the connection goes to, as pg resolves it from the URL and `PG*` variables. */
  address(): string {
    const { databaseUrl } = this.config();
    const client = new pg.Client(
      databaseUrl === undefined ? {} : { connectionString: databaseUrl },
    );
    const host = client.host || 'localhost';
    return host.startsWith('/') ? `${host}/.s.PGSQL.${client.port}` : `${host}:${client.port}`;
  }

  /**
   * Writes `value` as JSON with `--json`, otherwise what `human` makes of it; either way with
   * control characters escaped, so data from the database cannot drive the terminal.
   */
  print<Value>(value: Value, human: (value: Value) => string): void {
    const text = this.json
      ? terminalJson(JSON.stringify(value, null, 2))
      : terminalText(human(value));
    if (text !== '') this.io.stdout.write(`${text}\n`);
  }

  /** Turns a pg error caused by a missing schema into `NotInstalledError`. */
  translateError(error: unknown): unknown {
    return this.#pgq ? this.#pgq.translateError(error) : error;
  }

  /** Closes the connection, if one was opened. Safe to call twice. */
  async close(): Promise<void> {
    const pgq = this.#pgq;
    const pool = this.#pool;
    this.#pgq = undefined;
    this.#pool = undefined;
    await pgq?.close().catch(() => {});
    await pool?.end().catch(() => {});
  }
}
