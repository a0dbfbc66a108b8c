import { PgqError, type PgqErrorOptions } from './pgq-error.js';

/** The pgq schema (or part of it) is missing from the database. */
export class NotInstalledError extends PgqError {
  static readonly code = 'PGQ_NOT_INSTALLED';
  readonly schema: string;

  constructor(schema: string, options?: PgqErrorOptions) {
    super(
      NotInstalledError.code,
      `pgq is not installed in schema "${schema}" (or is out of date): run \`pgq migrate\` (or migrate() from @pgq/migrate)`,
      options,
    );
    this.name = 'NotInstalledError';
    this.schema = schema;
  }
}
