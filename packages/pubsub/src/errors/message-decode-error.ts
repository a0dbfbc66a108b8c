import { PgqError, type PgqErrorOptions } from '@pgq/core';

/**
 * A notification on a pub/sub channel was not a pgq message (sent by another program with
 * a bare `NOTIFY`?) or its JSON body did not parse. It was skipped.
 *
 * @example
 * ```ts
 * bus.on('error', (error) => {
 *   if (PgqError.hasCode(error, MessageDecodeError.code)) console.warn(error.notification);
 * });
 * ```
 */
export class MessageDecodeError extends PgqError {
  static readonly code = 'PGQ_MESSAGE_DECODE';
  /** The NOTIFY channel it came on. */
  readonly notifyChannel: string;
  /** The start of the notification's text. */
  readonly notification: string;

  constructor(notifyChannel: string, notification: string, options?: PgqErrorOptions) {
    super(
      MessageDecodeError.code,
      `Skipped a notification on "${notifyChannel}" that is not a readable pgq message`,
      options,
    );
    this.name = 'MessageDecodeError';
    this.notifyChannel = notifyChannel;
    this.notification = notification.slice(0, 200);
  }
}
