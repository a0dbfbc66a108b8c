/**
 * A message as a subscriber receives it.
 *
 * @example
 * ```ts
 * await bus.subscribe('events.*', (message: Message) => {
 *   console.log(message.channel, message.payload, message.id);
 * });
 * ```
 */
export interface Message<Payload = unknown> {
  /** The channel it was published to: for a wildcard subscription, the concrete channel. */
  readonly channel: string;
  /**
   * The payload: the JSON value or the string that was published (a string comes back as a
   * string). Every subscription of one `PubSub` gets the same object: do not mutate it.
   */
  readonly payload: Payload;
  /** Unique per message: the publishing `PubSub`'s random id and its sequence number. */
  readonly id: string;
}

/**
 * Called with each message of a push-style subscription, one at a time and in order; a
 * returned promise is awaited before the next message. A throw or rejection is reported on
 * the `error` event and the subscription carries on.
 *
 * @example
 * ```ts
 * const handler: MessageHandler<{ userId: number }> = async (message) => {
 *   await greet(message.payload.userId);
 * };
 * ```
 */
export type MessageHandler<Payload = unknown> = (message: Message<Payload>) => void | Promise<void>;
