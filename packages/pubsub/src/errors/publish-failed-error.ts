import { PgqError, type PgqErrorOptions } from '@pgq/core';

/**
 * A publish failed in the database; `cause` holds the error. Nothing was sent.
 *
 * @example
 * ```ts
 * try { await bus.publish('orders.paid', order); } catch (error) {
 *   if (error instanceof PublishFailedError) retryLater(error.channel);
 * }
 * ```
 */
export class PublishFailedError extends PgqError {
  static readonly code = 'PGQ_PUBLISH_FAILED';
  readonly channel: string;

  constructor(channel: string, reason: string, options?: PgqErrorOptions) {
    super(PublishFailedError.code, `Publishing to "${channel}" failed: ${reason}`, options);
    this.name = 'PublishFailedError';
    this.channel = channel;
  }
}
