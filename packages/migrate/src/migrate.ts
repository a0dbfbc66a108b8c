import { type Pgq, PgqError } from '@pgq/core';
import type { PoolClient } from 'pg';
import { MigrationFailedError } from './errors/migration-failed-error.js';
import { latestVersion, type Migration, migrations } from './migrations.js';
import { renderMigration } from './render.js';

/** What `migrate()` did. */
export interface MigrateResult {
  /** The migrations applied by this call, in order; empty when already up to date. */
  applied: Array<Pick<Migration, 'version' | 'name'>>;
  /** The version installed now. */
  version: number;
}

// Arbitrary, fixed: the first key of the two-key advisory lock that serialises migrations.
const lockClass = 0x70677100;

/**
 * Installs or upgrades pgq's tables in `pgq.schema`. Idempotent: applies only what is
 * missing, in order, in one transaction, so a failure leaves the schema as it was. Safe
 * when many processes call it at once: an advisory lock per schema lets one run at a time.
 *
 * @example
 * ```ts
 * import { connect } from '@pgq/core';
 * import { migrate } from '@pgq/migrate';
 * const pgq = connect();
 * const { applied } = await migrate(pgq);
 * ```
 */
export async function migrate(pgq: Pgq): Promise<MigrateResult> {
  const client = await pgq.pool.connect();
  try {
    await client.query('begin');
    // The migrations' names resolve in pg_catalog only: with a schema others may create in on
    // the path (\`public\` before PostgreSQL 15), an operator or function of theirs that matches
    // a call better would be bound into a default, a check or a SQL-standard function body
    // here, for good (issue 26).
    await client.query('set local search_path = pg_catalog, pg_temp');
    await client.query('select pg_advisory_xact_lock($1, hashtext($2))', [lockClass, pgq.schema]);
    const installed = await appliedVersions(client, pgq.schema);
    const pending = migrations.filter((migration) => !installed.has(migration.version));
    for (const migration of pending) {
      try {
        await client.query(renderMigration(migration.sql, pgq.schema));
      } catch (error) {
        throw new MigrationFailedError(migration.name, (error as Error).message, {
          cause: error,
        });
      }
    }
    await client.query('commit');
    return {
      applied: pending.map(({ version, name }) => ({ version, name })),
      version: Math.max(latestVersion, ...installed),
    };
  } catch (error) {
    await client.query('rollback').catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}

/** The versions recorded in `<schema>.migrations`; empty when pgq is not installed. */
export async function appliedVersions(
  client: Pick<PoolClient, 'query'>,
  schema: string,
): Promise<Set<number>> {
  const { rows } = await client.query<{ exists: boolean }>(
    // pg_catalog.format, qualified: format(text, VARIADIC "any") loses to any exact match.
    `select to_regclass(pg_catalog.format('%I.migrations', $1::text)) is not null as exists`,
    [schema],
  );
  if (!rows[0]?.exists) return new Set();
  const result = await client.query<{ version: number }>(
    `select version from ${renderMigration(':"schema"', schema)}.migrations`,
  );
  return new Set(result.rows.map((row) => row.version));
}
