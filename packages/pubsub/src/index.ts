export {
  assertChannel,
  type ChannelPattern,
  parseChannelPattern,
} from './channel-pattern.js';
export { MessageDecodeError } from './errors/message-decode-error.js';
export { MessageRejectedError, type RejectionReason } from './errors/message-rejected-error.js';
export { PayloadExpiredError } from './errors/payload-expired-error.js';
export { PayloadFetchError } from './errors/payload-fetch-error.js';
export { PublishFailedError } from './errors/publish-failed-error.js';
export { PubSubKeyError } from './errors/pubsub-key-error.js';
export { PushSubscriptionError } from './errors/push-subscription-error.js';
export { SubscribeFailedError } from './errors/subscribe-failed-error.js';
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
