import { PgqError, type PgqErrorOptions } from '@pgq/core';

/**
 * `next()` was called on a subscription made with a handler: it is for pull subscriptions.
 *
 * @example
 * ```ts
 * const subscription = await bus.subscribe('events.*', handler);
 * await subscription.next(); // rejects with PushSubscriptionError
 * ```
 */
export class PushSubscriptionError extends PgqError {
  static readonly code = 'PGQ_PUSH_SUBSCRIPTION';
  constructor(options?: PgqErrorOptions) {
    super(
      PushSubscriptionError.code,
      'next() is for pull subscriptions: this one was made with a handler',
      options,
    );
    this.name = 'PushSubscriptionError';
  }
}
