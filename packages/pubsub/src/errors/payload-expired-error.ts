import { PgqError, type PgqErrorOptions } from '@pgq/core';

/**
 * A large message's stored body was gone when the subscriber went to read it: the
 * subscriber lagged behind its publisher by more than the publisher's
 * `payloadRetentionMs`. The message was skipped.
 *
 * @example
 * ```ts
 * bus.on('error', (error) => {
 *   if (PgqError.hasCode(error, PayloadExpiredError.code)) metrics.increment('pubsub.lost');
 * });
 * ```
 */
export class PayloadExpiredError extends PgqError {
  static readonly code = 'PGQ_PAYLOAD_EXPIRED';
  readonly channel: string;
  readonly messageId: string;

  constructor(channel: string, messageId: string, options?: PgqErrorOptions) {
    super(
      PayloadExpiredError.code,
      `The stored body of message ${messageId} on "${channel}" is gone (older than the publisher's payloadRetentionMs): skipped`,
      options,
    );
    this.name = 'PayloadExpiredError';
    this.channel = channel;
    this.messageId = messageId;
  }
}
