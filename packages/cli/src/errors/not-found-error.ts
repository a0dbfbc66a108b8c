import { PgqError } from '@pgq/core';

/**
 * What a command asked for is not there: a job id, a cache key. The `pgq` command exits
 * with 1 for it, so scripts can tell a miss from a hit.
 *
 * @example
 * ```ts
 * throw new NotFoundError('Job 42 not found');
 * ```
 */
export class NotFoundError extends PgqError {
  static readonly code = 'PGQ_CLI_NOT_FOUND';

  constructor(message: string) {
    super(NotFoundError.code, message);
    this.name = 'NotFoundError';
  }
}
