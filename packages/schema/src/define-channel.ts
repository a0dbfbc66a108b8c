import { assertName, type Contract, type StandardSchemaV1 } from '@pgq/core';
import { assertSchema } from './assert.js';

/** A pub/sub channel's messages: its name and the message schema. */
export interface ChannelContract<
  Name extends string = string,
  Schema extends StandardSchemaV1 = StandardSchemaV1,
> extends Contract<Name, Schema> {
  readonly kind: 'channel';
}

/**
 * Defines a pub/sub channel. `PubSub.publish` and `subscribe` take it in place of the
 * channel name and are then typed by it. Messages are validated at `publish` (nothing sent
 * when invalid) and on receipt (a bad message is skipped with an `error` event).
 *
 * @example
 * ```ts
 * export const userSignup = defineChannel('events.user_signup', z.object({ userId: z.number() }));
 * await bus.publish(userSignup, { userId: 42 });
 * ```
 */
export function defineChannel<const Name extends string, Schema extends StandardSchemaV1>(
  channel: Name,
  schema: Schema,
): ChannelContract<Name, Schema> {
  assertName('channel', channel);
  assertSchema(schema, 'defineChannel');
  return Object.freeze({ kind: 'channel', name: channel, schema });
}
