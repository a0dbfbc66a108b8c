export {
  assertChannel,
  type ChannelPattern,
  parseChannelPattern,
} from './channel-pattern.js';
export { MessageDecodeError } from './errors/message-decode-error.js';
export { MessageRejectedError, type RejectionReason } from './errors/message-rejected-error.js';
export { PayloadExpiredError } from './errors/payload-expired-error.js';
export type { Message, MessageHandler } from './message.js';
export { PubSub } from './pub-sub.js';
export type {
  PublishOptions,
  PubSubEvents,
  PubSubOptions,
  SubscribeOptions,
} from './pub-sub-options.js';
export {
  type NextOptions,
  type OverflowInfo,
  Subscription,
  type SubscriptionEvents,
} from './subscription.js';
