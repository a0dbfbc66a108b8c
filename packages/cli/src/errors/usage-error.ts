import { PgqError } from '@pgq/core';

/**
 * The command line itself is wrong (a bad argument, a missing confirmation): nothing ran.
 * The `pgq` command exits with 2 for it.
 *
 * @example
 * ```ts
 * throw new UsageError('Invalid JSON for <json>: Unexpected end of JSON input');
 * ```
 */
export class UsageError extends PgqError {
  static readonly code = 'PGQ_CLI_USAGE';

  constructor(message: string) {
    super(UsageError.code, message);
    this.name = 'UsageError';
  }
}
