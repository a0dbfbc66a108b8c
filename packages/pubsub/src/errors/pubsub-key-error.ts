import { PgqError, type PgqErrorOptions } from '@pgq/core';

/**
 * The key that signs pub/sub messages could not be read: this role may not read it, its row is gone, or the read failed.
 *
 * @example
 * ```ts
 * try { await bus.publish('events.x', {}); } catch (error) {
 *   if (error instanceof PubSubKeyError) console.error('publish as the schema owner');
 * }
 * ```
 */
export class PubSubKeyError extends PgqError {
  static readonly code = 'PGQ_PUBSUB_KEY';
  constructor(message: string, options?: PgqErrorOptions) {
    super(PubSubKeyError.code, message, options);
    this.name = 'PubSubKeyError';
  }
}
