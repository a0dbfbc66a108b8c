import { PgqError, type PgqErrorOptions } from '@pgq/core';

/**
 * A migration failed and was rolled back; `cause` holds the database error.
 *
 * @example
 * ```ts
 * try { await migrate(pgq); } catch (error) {
 *   if (error instanceof MigrationFailedError) console.error(error.migration, error.cause);
 * }
 * ```
 */
export class MigrationFailedError extends PgqError {
  static readonly code = 'PGQ_MIGRATION_FAILED';
  readonly migration: string;

  constructor(migration: string, reason: string, options?: PgqErrorOptions) {
    super(MigrationFailedError.code, `Migration ${migration} failed: ${reason}`, options);
    this.name = 'MigrationFailedError';
    this.migration = migration;
  }
}
