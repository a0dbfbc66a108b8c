import {
  Kysely,
  type Migration,
  type MigrationProvider,
  Migrator,
  PostgresDialect,
  sql,
} from 'kysely';
import type pg from 'pg';

// The app's migrations, in code: pgq's tables live in the pgq schema and are migrated by
// @pgq/migrate; the app's own tables live in the app's schema and are migrated here, by
// Kysely, with its own bookkeeping table. Add the next one at the end; never edit a shipped one.
function appMigrations(schema: string): Record<string, Migration> {
  return {
    '0001_users': {
      async up(db) {
        await db.schema
          .withSchema(schema)
          .createTable('users')
          .addColumn('id', 'integer', (column) => column.primaryKey().generatedAlwaysAsIdentity())
          .addColumn('email', 'text', (column) => column.notNull().unique())
          .addColumn('created_at', 'timestamptz', (column) =>
            column.notNull().defaultTo(sql`now()`),
          )
          .execute();
      },
      async down(db) {
        await db.schema.withSchema(schema).dropTable('users').execute();
      },
    },
  };
}

class InCodeMigrationProvider implements MigrationProvider {
  constructor(readonly schema: string) {}

  async getMigrations(): Promise<Record<string, Migration>> {
    return appMigrations(this.schema);
  }
}

/**
 * Brings the app's schema up to date (creating it first). Safe to run from several
 * processes at once: Kysely's migrator takes a lock.
 *
 * @example
 * ```ts
 * const applied = await migrateApp(pgq.pool, 'example'); // ['0001_users'] the first time
 * ```
 */
export async function migrateApp(pool: pg.Pool, schema: string): Promise<string[]> {
  // A Kysely of its own, not destroyed: the pool belongs to the caller.
  const db = new Kysely<unknown>({ dialect: new PostgresDialect({ pool }) });
  const migrator = new Migrator({
    db,
    provider: new InCodeMigrationProvider(schema),
    migrationTableSchema: schema,
  });
  const { error, results = [] } = await migrator.migrateToLatest();
  if (error) {
    const failed = results.find((result) => result.status === 'Error');
    throw new Error(
      `App migration ${failed?.migrationName ?? ''} failed: ${error instanceof Error ? error.message : String(error)}`,
      { cause: error },
    );
  }
  return results.map((result) => result.migrationName);
}
