import type { TxOptions } from '@pgq/core';
import type { Message } from './message.js';

/**
 * Options of `new PubSub(pgq, options)`.
 *
 * @example
 * ```ts
 * const bus = new PubSub(pgq, { maxPayloadBytes: 4 << 20, payloadRetentionMs: 120_000 });
 * ```
 */
export interface PubSubOptions {
  /**
   * Largest payload `publish` accepts, in bytes of its JSON text (or of the string), UTF-8.
   * Above it: `PayloadTooLargeError`, nothing sent. Default 1 MiB (1,048,576).
   */
  maxPayloadBytes?: number;
  /**
   * How long a large message's stored body is kept for subscribers to fetch, counted from
   * the publish by the database clock; then a bounded background sweep deletes it.
   * Default 60,000 ms.
   */
  payloadRetentionMs?: number;
  /**
   * Messages a subscription buffers before it drops new ones (and emits `overflow`).
   * Each subscription may set its own. Default 10,000.
   */
  highWaterMark?: number;
  /**
   * Also NOTIFY the fan-out channel of the first segment (`events.>` for
   * `events.user_signup`) on every publish to a dotted channel, so wildcard subscribers
   * receive it. `false` saves that second NOTIFY; wildcard subscribers then miss this
   * publisher's messages. Default `true`.
   */
  wildcardFanOut?: boolean;
  /**
   * How far a message's publish time (the publisher's clock) may be from now, either way,
   * for a subscriber to accept it; within it, each message id is accepted once per channel.
   * A captured message sent again by someone who LISTENs is dropped as `replayed` or
   * `stale`. Keep it above the longest transaction that publishes with `tx` and the clock
   * difference between hosts. Default 60,000 ms.
   */
  replayWindowMs?: number;
}

/**
 * Options of `publish`: `tx` sends the message when (and only if) that transaction commits.
 *
 * @example
 * ```ts
 * await bus.publish('events.user_signup', { userId: 42 }, { tx });
 * ```
 */
export interface PublishOptions extends TxOptions {}

/**
 * Options of `subscribe`.
 *
 * @example
 * ```ts
 * const pull = await bus.subscribe('events.>', { highWaterMark: 100_000 });
 * ```
 */
export interface SubscribeOptions {
  /** This subscription's buffer bound. Default: the `PubSub`'s `highWaterMark` (10,000). */
  highWaterMark?: number;
}

/**
 * The events of a `PubSub`.
 *
 * @example
 * ```ts
 * bus.on('error', (error) => log.error(error));
 * bus.on('reconnected', () => log.warn('pub/sub messages may have been missed'));
 * ```
 */
export interface PubSubEvents {
  /**
   * Something went wrong receiving, and was skipped: a handler threw or a message failed its
   * contract (when the subscription has no `error` listener of its own), a notification did
   * not decode, a stored body was gone. Without a listener, errors go to `pgq.logger`.
   */
  error: [error: Error, message: Message | undefined];
  /** The shared LISTEN connection dropped and is back: messages sent in between are lost. */
  reconnected: [];
  /** A background sweep deleted this many expired stored bodies. */
  swept: [deleted: number];
}
