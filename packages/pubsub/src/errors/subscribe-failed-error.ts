import { PgqError, type PgqErrorOptions } from '@pgq/core';

/**
 * A subscription could not LISTEN; `cause` holds the error.
 *
 * @example
 * ```ts
 * try { await bus.subscribe('orders.*', handler); } catch (error) {
 *   if (error instanceof SubscribeFailedError) console.error(error.pattern, error.cause);
 * }
 * ```
 */
export class SubscribeFailedError extends PgqError {
  static readonly code = 'PGQ_SUBSCRIBE_FAILED';
  readonly pattern: string;

  constructor(pattern: string, options?: PgqErrorOptions) {
    super(SubscribeFailedError.code, `Could not LISTEN for "${pattern}"`, options);
    this.name = 'SubscribeFailedError';
    this.pattern = pattern;
  }
}
