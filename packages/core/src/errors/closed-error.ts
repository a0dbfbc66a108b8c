import { PgqError, type PgqErrorOptions } from './pgq-error.js';

/**
 * The object was closed (a `Pgq`, `PubSub`, `RpcClient` or the listener): make a new one.
 *
 * @example
 * ```ts
 * await bus.close();
 * await bus.publish('events.x', {}); // throws ClosedError
 * ```
 */
export class ClosedError extends PgqError {
  static readonly code = 'PGQ_CLOSED';
  readonly resource: string;

  constructor(resource: string, options?: PgqErrorOptions) {
    super(ClosedError.code, `The ${resource} is closed`, options);
    this.name = 'ClosedError';
    this.resource = resource;
  }
}
