import { PgqError, type PgqErrorOptions } from '@pgq/core';

/**
 * A large message's stored body could not be read; the message is skipped and this is reported on `error`.
 *
 * @example
 * ```ts
 * bus.on('error', (error) => {
 *   if (error instanceof PayloadFetchError) console.warn(error.messageId, error.channel);
 * });
 * ```
 */
export class PayloadFetchError extends PgqError {
  static readonly code = 'PGQ_PAYLOAD_FETCH';
  readonly messageId: string;
  readonly channel: string;

  constructor(messageId: string, channel: string, options?: PgqErrorOptions) {
    super(
      PayloadFetchError.code,
      `Could not read the stored body of message ${messageId} on "${channel}": skipped`,
      options,
    );
    this.name = 'PayloadFetchError';
    this.messageId = messageId;
    this.channel = channel;
  }
}
