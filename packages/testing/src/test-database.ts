import { randomBytes } from 'node:crypto';
import { type ConnectOptions, connect, type Pgq } from '@pgq/core';
import { migrate } from '@pgq/migrate';

/** Options of `createTestDatabase()`. */
export interface TestDatabaseOptions {
  /** Schema to use. Default: a new random `test_…` schema, dropped by `dispose()`. */
  schema?: string;
  /** Run `migrate()` on it first. Default `true`. */
  migrate?: boolean;
  /** Database URL. Default: `DATABASE_URL`. */
  url?: string;
}

/** A schema of its own on the test database, and the `Pgq`s connected to it. */
export interface TestDatabase {
  url: string;
  schema: string;
  /** The first connection. */
  pgq: Pgq;
  /** Another connection (its own pool and listener) to the same schema; closed by `dispose()`. */
  connect(options?: Omit<ConnectOptions, 'schema' | 'connectionString' | 'pool'>): Pgq;
  /** Closes every connection and drops the schema. */
  dispose(): Promise<void>;
}

/**
 * Gives a test file a schema of its own on `DATABASE_URL` (set by the test harness, which
 * starts an embedded PostgreSQL when none is given), so test files run in parallel.
 *
 * @example
 * ```ts
 * const db = await createTestDatabase();
 * afterAll(() => db.dispose());
 * ```
 */
export async function createTestDatabase(options: TestDatabaseOptions = {}): Promise<TestDatabase> {
  const url = options.url ?? process.env.DATABASE_URL;
  if (!url)
    throw new Error('createTestDatabase: set DATABASE_URL (the test harness does) or pass url');
  const schema = options.schema ?? `test_${randomBytes(6).toString('hex')}`;
  const connections: Pgq[] = [];
  const open = (extra: Omit<ConnectOptions, 'schema' | 'connectionString' | 'pool'> = {}): Pgq => {
    const pgq = connect({ ...extra, connectionString: url, schema });
    connections.push(pgq);
    return pgq;
  };
  const pgq = open();
  if (options.migrate !== false) await migrate(pgq);
  return {
    url,
    schema,
    pgq,
    connect: open,
    async dispose() {
      await pgq.pool.query(`drop schema if exists ${pgq.quotedSchema} cascade`);
      await Promise.all(connections.map((connection) => connection.close()));
    },
  };
}
