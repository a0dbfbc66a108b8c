import { PgqError } from '@pgq/core';
import type { EnvelopeProblem } from '../envelope.js';
import type { ReplayProblem } from '../replay-guard.js';

/**
 * Why a notification was dropped: `forged` (its tag is not the schema key's: not sent by a
 * process that holds it), `old-format` (format 1: a pgq from before messages were signed),
 * `malformed` (not a pgq message at all), `invalid-channel` (signed, but its channel breaks
 * the naming rules), `replayed` (a message id this route already had: a captured message
 * sent again), `stale` (published longer ago than `replayWindowMs` by the publisher's
 * clock: a replay, clocks apart by more than that, or a subscriber that far behind).
 */
export type RejectionReason = EnvelopeProblem | ReplayProblem;

/**
 * Notifications on pub/sub channels were dropped because they were not genuine, current pgq
 * messages: never delivered, nothing fetched for them. Reported for the first one, then at
 * most once a minute while more come (`PubSub.rejected` counts them all), so a flood of
 * forgeries cannot flood the log.
 *
 * @example
 * ```ts
 * bus.on('error', (error) => {
 *   if (PgqError.hasCode(error, MessageRejectedError.code)) alert(error.reason, error.rejected);
 * });
 * ```
 */
export class MessageRejectedError extends PgqError {
  static readonly code = 'PGQ_MESSAGE_REJECTED';
  /** Why this one was dropped. */
  readonly reason: RejectionReason;
  /** The NOTIFY channel it came on. */
  readonly notifyChannel: string;
  /** Notifications this `PubSub` has dropped so far, this one included. */
  readonly rejected: number;

  constructor(reason: RejectionReason, notifyChannel: string, rejected: number) {
    super(
      MessageRejectedError.code,
      `Dropped a notification on "${notifyChannel}" (${reason}): not a genuine pgq message; ${rejected} dropped so far`,
    );
    this.name = 'MessageRejectedError';
    this.reason = reason;
    this.notifyChannel = notifyChannel;
    this.rejected = rejected;
  }
}
