import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import {
  ClosedError,
  type Contract,
  type ContractInput,
  type ContractOutput,
  type Executor,
  isContract,
  type Pgq,
  PgqError,
  validate,
} from '@pgq/core';
import { reportError } from '@pgq/core/internal';
import { assertChannel, parseChannelPattern } from './channel-pattern.js';
import { PublishFailedError } from './errors/publish-failed-error.js';
import { SubscribeFailedError } from './errors/subscribe-failed-error.js';
import { Inbox } from './inbox.js';
import type { Message, MessageHandler } from './message.js';
import { MessageKey } from './message-key.js';
import { encodePayload, prepareMessage } from './outgoing-message.js';
import { PayloadFetcher } from './payload-fetcher.js';
import { PayloadSweeper } from './payload-sweeper.js';
import type {
  PublishOptions,
  PubSubEvents,
  PubSubOptions,
  SubscribeOptions,
} from './pub-sub-options.js';
import { PublishBatcher } from './publish-batcher.js';
import { RouteTable } from './route-table.js';
import { notifyMessages, type OutgoingMessage } from './sql/messages-notify.js';
import { getPubSubKey } from './sql/pubsub-key-get.js';
import { Subscription } from './subscription.js';
import { wholeNumber } from './whole-number.js';

const batchLimits = { maxMessages: 1_000, maxBytes: 8 * 1_048_576 };
// Stored bodies read at once: a few, so a burst of large messages neither holds many bodies
// in memory nor takes the pool from publishers.
const maxFetchesInFlight = 4;

/**
 * Publish/subscribe over PostgreSQL LISTEN/NOTIFY. Every subscription of a `Pgq` shares
 * its one LISTEN connection (`pgq.listener`). Messages go to whoever is subscribed at that
 * moment: a subscriber that is not connected misses them, as with Redis pub/sub.
 *
 * @example
 * ```ts
 * import { PubSub } from '@pgq/pubsub';
 * const bus = new PubSub(pgq);
 * const sub = await bus.subscribe('events.*', (message) => console.log(message.channel, message.payload));
 * await bus.publish('events.user_signup', { userId: 42 });
 * await sub.unsubscribe();
 * await bus.close();
 * ```
 */
export class PubSub extends EventEmitter<PubSubEvents> {
  readonly #pgq: Pgq;
  readonly #options: Required<PubSubOptions>;
  readonly #publisherId = randomBytes(6).toString('hex');
  readonly #batcher: PublishBatcher;
  readonly #sweeper: PayloadSweeper;
  readonly #inbox: Inbox;
  readonly #routes: RouteTable;
  #key: MessageKey | undefined;
  #loadingKey: Promise<MessageKey> | undefined;
  #sequence = 0;
  #watchingReconnects = false;
  #closed = false;

  constructor(pgq: Pgq, options: PubSubOptions = {}) {
    super();
    this.#pgq = pgq;
    this.#options = {
      maxPayloadBytes: wholeNumber('maxPayloadBytes', options.maxPayloadBytes, 1_048_576, 1),
      payloadRetentionMs: wholeNumber('payloadRetentionMs', options.payloadRetentionMs, 60_000, 0),
      highWaterMark: wholeNumber('highWaterMark', options.highWaterMark, 10_000, 1),
      wildcardFanOut: options.wildcardFanOut ?? true,
      replayWindowMs: wholeNumber('replayWindowMs', options.replayWindowMs, 60_000, 1),
    };
    this.#batcher = new PublishBatcher(pgq, batchLimits);
    this.#sweeper = new PayloadSweeper(pgq, {
      retentionMs: this.#options.payloadRetentionMs,
      batchSize: 1_000,
      onSwept: (deleted) => this.emit('swept', deleted),
      onError: (error) => this.#report(error),
    });
    this.#inbox = new Inbox({
      key: () => this.#key,
      fetcher: new PayloadFetcher(pgq, maxFetchesInFlight),
      report: (error) => this.#report(error),
    });
    this.#routes = new RouteTable(pgq.listener, this.#inbox, this.#options.replayWindowMs);
  }

  /**
   * Notifications dropped so far because they were not genuine pgq messages: unsigned or
   * forged, in the old format, malformed, replayed or stale (see `MessageRejectedError`).
   * None of them was delivered.
   */
  get rejected(): number {
    return this.#inbox.rejected;
  }

  /**
   * Publishes a message: a JSON value, or a string (which subscribers receive as a string).
   * Without `tx` it is sent at once (batched with concurrent publishes of this `PubSub`, in
   * call order); with `tx` it is sent when that transaction commits, and never if it rolls
   * back. With a contract the payload is validated first. Resolves once sent.
   *
   * Throws `InvalidNameError` (bad channel), `ValidationError` (contract, or not JSON) and
   * `PayloadTooLargeError` (over `maxPayloadBytes`) before sending anything.
   *
   * @example
   * ```ts
   * await bus.publish('events.user_signup', { userId: 42 });
   * await db.transaction().execute(async (tx) => {
   *   await tx.insertInto('users').values(user).execute();
   *   await bus.publish(userSignup, { userId: user.id }, { tx }); // sent on commit
   * });
   * ```
   */
  publish<C extends Contract>(
    contract: C,
    payload: ContractInput<C>,
    options?: PublishOptions,
  ): Promise<void>;
  publish<Payload = unknown>(
    channel: string,
    payload: Payload,
    options?: PublishOptions,
  ): Promise<void>;
  async publish(
    target: string | Contract,
    payload: unknown,
    options: PublishOptions = {},
  ): Promise<void> {
    this.#assertOpen();
    const contract = isContract(target) ? target : undefined;
    const channel = assertChannel(contract ? contract.name : target);
    this.#sequence++;
    const id = `${this.#publisherId}:${this.#sequence.toString(36)}`;
    // Take the place in the send order now, so an async validation cannot be overtaken.
    const slot = options.tx ? undefined : this.#batcher.reserve();
    let message: OutgoingMessage;
    try {
      if (contract) await validate(contract.schema, payload, `message on ${channel}`);
      const encoded = encodePayload(payload, this.#options.maxPayloadBytes);
      const key = this.#key ?? (await this.#loadKey(options.tx));
      message = prepareMessage(encoded, {
        channel,
        id,
        key,
        wildcardFanOut: this.#options.wildcardFanOut,
        notifyChannel: (route) => this.#notifyChannel(route),
      });
    } catch (error) {
      slot?.cancel();
      throw error;
    }
    if (message.stored) this.#sweeper.stored();
    try {
      if (slot) await slot.send(message);
      else await notifyMessages(this.#pgq, [message], { tx: options.tx });
    } catch (error) {
      if (PgqError.isInstance(error)) throw error;
      throw new PublishFailedError(channel, (error as Error)?.message ?? String(error), {
        cause: error,
      });
    }
  }

  /**
   * Subscribes to a channel, a contract's channel, or a wildcard pattern (`events.*`: one
   * segment; `events.>`: one or more). With a handler, it is called for each message in
   * order (push style); without one, take messages with `next()` or `for await` (pull
   * style). Resolves once LISTENing: every message published after that is delivered while
   * the connection holds.
   *
   * @example
   * ```ts
   * const sub = await bus.subscribe('events.user_signup', (message) => greet(message.payload));
   * const pull = await bus.subscribe('events.>');
   * const message = await pull.next({ timeoutMs: 5_000 }); // Message | null
   * ```
   */
  subscribe<C extends Contract>(
    contract: C,
    handler: MessageHandler<ContractOutput<C>>,
    options?: SubscribeOptions,
  ): Promise<Subscription<ContractOutput<C>>>;
  subscribe<C extends Contract>(
    contract: C,
    options?: SubscribeOptions,
  ): Promise<Subscription<ContractOutput<C>>>;
  subscribe<Payload = unknown>(
    channel: string,
    handler: MessageHandler<Payload>,
    options?: SubscribeOptions,
  ): Promise<Subscription<Payload>>;
  subscribe<Payload = unknown>(
    channel: string,
    options?: SubscribeOptions,
  ): Promise<Subscription<Payload>>;
  async subscribe(
    target: string | Contract,
    handlerOrOptions?: MessageHandler<unknown> | SubscribeOptions,
    maybeOptions?: SubscribeOptions,
  ): Promise<Subscription<unknown>> {
    this.#assertOpen();
    const contract = isContract(target) ? target : undefined;
    const pattern = parseChannelPattern(contract ? contract.name : target);
    const handler = typeof handlerOrOptions === 'function' ? handlerOrOptions : undefined;
    const options = (handler ? maybeOptions : (handlerOrOptions as SubscribeOptions)) ?? {};
    // Before the LISTEN: no notification may arrive that cannot be checked.
    if (!this.#key) await this.#loadKey();
    const subscription = new Subscription<unknown>({
      pattern,
      contract,
      handler,
      highWaterMark: wholeNumber(
        'highWaterMark',
        options.highWaterMark,
        this.#options.highWaterMark,
        1,
      ),
      report: (source, error, message) => this.#report(error, source, message),
      remove: (source) => this.#remove(source),
    });
    const listening = this.#routes.add(subscription, this.#notifyChannel(pattern.route));
    this.#watchReconnects(true);
    try {
      await listening;
    } catch (error) {
      await subscription.unsubscribe();
      if (PgqError.isInstance(error)) throw error;
      throw new SubscribeFailedError(pattern.source, { cause: error });
    }
    return subscription;
  }

  /**
   * Deletes every stored body older than `payloadRetentionMs` now, in bounded batches, and
   * returns how many. The background sweep does this on its own; call it from a cron job
   * when publishers come and go.
   *
   * @example
   * ```ts
   * const deleted = await bus.sweep();
   * ```
   */
  sweep(): Promise<number> {
    return this.#sweeper.sweep();
  }

  /**
   * Unsubscribes everything, waits for publishes in flight, stops the sweep timer. Leaves
   * `pgq` open. Safe to call twice.
   *
   * @example
   * ```ts
   * await bus.close();
   * await pgq.close();
   * ```
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await Promise.all(this.#routes.subscriptions.map((subscription) => subscription.unsubscribe()));
    this.#inbox.clear();
    await this.#batcher.drain();
    await this.#sweeper.stop();
    this.#watchReconnects(false);
  }

  /**
   * `close()`, for `await using`: every subscription ends (and its channels are UNLISTENed)
   * as the block exits. Leaves `pgq` open.
   *
   * @example
   * ```ts
   * await using bus = new PubSub(pgq);
   * await bus.subscribe('events.*', (message) => console.log(message.payload));
   * ```
   */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  // Read once per PubSub; a failed read (not installed yet, no privilege) is tried again by
  // the next publish or subscribe.
  #loadKey(tx?: Executor): Promise<MessageKey> {
    this.#loadingKey ??= getPubSubKey(this.#pgq, tx).then(
      (key) => {
        this.#key = new MessageKey(key);
        return this.#key;
      },
      (error) => {
        this.#loadingKey = undefined;
        throw error;
      },
    );
    return this.#loadingKey;
  }

  // `pubsub:` keeps these apart from the NOTIFY channels of queues and RPC in the schema.
  #notifyChannel(route: string): string {
    return this.#pgq.channel(`pubsub:${route}`);
  }

  async #remove(subscription: Subscription<any>): Promise<void> {
    const removing = this.#routes.remove(subscription);
    if (this.#routes.size === 0) this.#watchReconnects(false);
    await removing;
  }

  readonly #onReconnected = (): void => {
    this.emit('reconnected');
    for (const subscription of this.#routes.subscriptions) subscription.emit('reconnected');
  };

  #watchReconnects(on: boolean): void {
    if (on === this.#watchingReconnects) return;
    this.#watchingReconnects = on;
    if (on) this.#pgq.listener.on('reconnected', this.#onReconnected);
    else this.#pgq.listener.off('reconnected', this.#onReconnected);
  }

  // The subscription's own `error` listeners first, then the PubSub's, then the logger:
  // an `error` event with no listener would throw, and this must never kill the process.
  #report(error: unknown, subscription?: Subscription<any>, message?: Message): void {
    reportError(
      subscription ? [subscription, this] : this,
      this.#pgq.logger,
      'pgq pubsub error',
      error,
      {
        fields: { channel: message?.channel ?? subscription?.channel },
        args: [message],
      },
    );
  }

  #assertOpen(): void {
    if (this.#closed) throw new ClosedError('PubSub');
  }
}
