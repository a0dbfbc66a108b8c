import { PgqError, type PgqErrorOptions } from '@pgq/core';

/**
 * A genuine (signed) message's JSON body did not parse: sent by another program that holds
 * the key, such as a SQL publisher with a bug. It was skipped. Notifications that are not
 * genuine pgq messages are `MessageRejectedError`s.
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
