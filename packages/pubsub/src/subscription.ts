import { EventEmitter } from 'node:events';
import { type Contract, validate } from '@pgq/core';
import { assertSignal, watchAbort } from '@pgq/core/internal';
import type { ChannelPattern } from './channel-pattern.js';
import { PushSubscriptionError } from './errors/push-subscription-error.js';
import { Fifo } from './fifo.js';
import type { Message, MessageHandler } from './message.js';

/**
 * Options of `Subscription.next()`.
 *
 * @example
 * ```ts
 * const message = await pull.next({ timeoutMs: 5_000 }); // null after 5 s without one
 * const next = await pull.next({ signal: AbortSignal.timeout(5_000) }); // rejects instead
 * ```
 */
export interface NextOptions {
  /** Resolve with `null` after this long without a message. Default: wait until unsubscribed. */
  timeoutMs?: number;
  /**
   * Aborting it rejects this `next()` with the signal's reason and takes no message (the next
   * call gets it). Already aborted: rejects at once. Default: none.
   */
  signal?: AbortSignal;
}

/**
 * What `overflow` reports.
 *
 * @example
 * ```ts
 * sub.on('overflow', ({ dropped, highWaterMark }) => log.warn('slow consumer', { dropped, highWaterMark }));
 * ```
 */
export interface OverflowInfo {
  /** Messages this subscription has dropped so far, in total. */
  dropped: number;
  /** The bound that was hit. */
  highWaterMark: number;
}

/**
 * The events of a `Subscription`.
 *
 * @example
 * ```ts
 * sub.on('error', (error, message) => log.error(error, message?.id));
 * sub.on('reconnected', () => resync());
 * ```
 */
export interface SubscriptionEvents {
  /**
   * The handler threw, or a message failed the contract's validation (then it is skipped).
   * The subscription carries on. Without a listener here, the `PubSub`'s `error` gets it.
   */
  error: [error: Error, message: Message | undefined];
  /**
   * The buffer reached `highWaterMark` and messages are being dropped. Fires when the bound
   * is first hit, and again after the buffer has drained to half of it.
   */
  overflow: [info: OverflowInfo];
  /** The shared LISTEN connection dropped and is back: messages sent in between are lost. */
  reconnected: [];
}

/** @internal What the `PubSub` gives a subscription. */
export interface SubscriptionParts<Payload> {
  pattern: ChannelPattern;
  contract: Contract | undefined;
  handler: MessageHandler<Payload> | undefined;
  highWaterMark: number;
  report: (subscription: Subscription<any>, error: unknown, message?: Message) => void;
  remove: (subscription: Subscription<any>) => Promise<void>;
}

/**
 * A live subscription, from `PubSub.subscribe`. Push style (with a handler) calls the
 * handler for each message in order; pull style (no handler) buffers messages for `next()`
 * and `for await`. Either way the buffer is bounded by `highWaterMark`; past it new messages
 * are dropped, counted in `dropped` and signalled by `overflow`.
 *
 * @example
 * ```ts
 * const pull = await bus.subscribe('events.user_signup');
 * const message = await pull.next({ timeoutMs: 5_000 }); // Message | null
 * for await (const message of pull) console.log(message.payload); // break unsubscribes
 * ```
 */
export class Subscription<Payload = unknown> extends EventEmitter<SubscriptionEvents> {
  /** The channel or pattern subscribed to, as given. */
  readonly channel: string;
  readonly #parts: SubscriptionParts<Payload>;
  readonly #buffer = new Fifo<Message>();
  #waiters: Array<() => void> = [];
  #pulling: Promise<unknown> = Promise.resolve();
  #pumping = false;
  #overflowing = false;
  #dropped = 0;
  #closed = false;

  /** @internal Use `PubSub.subscribe`. */
  constructor(parts: SubscriptionParts<Payload>) {
    super();
    this.#parts = parts;
    this.channel = parts.pattern.source;
  }

  /** Messages dropped because the buffer was full. */
  get dropped(): number {
    return this.#dropped;
  }

  /** Messages received and not yet handled or taken by `next()`. */
  get buffered(): number {
    return this.#buffer.size;
  }

  /** True once `unsubscribe()` was called (or the `PubSub` closed). */
  get closed(): boolean {
    return this.#closed;
  }

  /**
   * The next message, in order; `null` after `timeoutMs` without one, or once unsubscribed;
   * rejects with the `signal`'s reason once it aborts. Only for pull-style subscriptions (made
   * without a handler). Concurrent calls are served in call order.
   */
  next(options: NextOptions = {}): Promise<Message<Payload> | null> {
    if (this.#parts.handler) {
      return Promise.reject(new PushSubscriptionError());
    }
    let signal: AbortSignal | undefined;
    try {
      signal = assertSignal(options.signal);
    } catch (error) {
      return Promise.reject(error);
    }
    if (signal?.aborted) return Promise.reject(signal.reason);
    const deadline =
      options.timeoutMs === undefined ? Number.POSITIVE_INFINITY : Date.now() + options.timeoutMs;
    return new Promise((resolve, reject) => {
      let started = false;
      // Queued behind earlier calls, an abort rejects at once; once this call's turn came, the
      // wait below ends on it, but a message already taken is returned rather than lost.
      const unwatch = watchAbort(signal, (reason) => {
        if (!started) reject(reason);
      });
      const run = this.#pulling.then(() => {
        started = true;
        return this.#nextBefore(deadline, signal);
      });
      this.#pulling = run.catch(() => {});
      run.then(
        (message) => {
          unwatch();
          resolve(message);
        },
        (error: unknown) => {
          unwatch();
          reject(error);
        },
      );
    });
  }

  /** Iterates messages until unsubscribed. Leaving the loop (`break`, `return`) unsubscribes. */
  [Symbol.asyncIterator](): AsyncIterableIterator<Message<Payload>> {
    const iterator: AsyncIterableIterator<Message<Payload>> = {
      next: async () => {
        const message = await this.next();
        return message ? { value: message, done: false } : { value: undefined, done: true };
      },
      return: async () => {
        await this.unsubscribe();
        return { value: undefined, done: true };
      },
      [Symbol.asyncIterator]: () => iterator,
    };
    return iterator;
  }

  /**
   * Stops delivery: buffered messages are dropped, pending `next()` calls resolve `null`, and
   * the channel is UNLISTENed when no other subscription needs it. A handler already running
   * is not awaited. Safe to call twice.
   */
  async unsubscribe(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#buffer.clear();
    this.#wake();
    await this.#parts.remove(this);
  }

  /**
   * `unsubscribe()`, for `await using`: the subscription ends as the block exits.
   *
   * @example
   * ```ts
   * await using pull = await bus.subscribe('events.user_signup');
   * const message = await pull.next({ timeoutMs: 5_000 });
   * ```
   */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.unsubscribe();
  }

  /** @internal True when a message on `channel` belongs here. */
  matches(channel: string): boolean {
    return this.#parts.pattern.matches(channel);
  }

  /** @internal Takes a message from the `PubSub`: buffers it, or drops it when full. */
  deliver(message: Message): void {
    if (this.#closed) return;
    const { highWaterMark } = this.#parts;
    if (this.#buffer.size >= highWaterMark) {
      this.#dropped++;
      if (!this.#overflowing) {
        this.#overflowing = true;
        this.emit('overflow', { dropped: this.#dropped, highWaterMark });
      }
      return;
    }
    this.#buffer.push(message);
    if (this.#parts.handler) void this.#pump(this.#parts.handler);
    else this.#wake();
  }

  async #nextBefore(deadline: number, signal?: AbortSignal): Promise<Message<Payload> | null> {
    for (;;) {
      if (this.#closed) return null;
      signal?.throwIfAborted();
      const received = this.#take();
      if (received) {
        const message = await this.#check(received);
        if (message) return message;
        continue;
      }
      const remaining = deadline - Date.now();
      if (remaining <= 0) return null;
      if (!(await this.#arrival(remaining, signal))) return null;
    }
  }

  // Resolves true when a message arrives, the subscription closes or `signal` aborts (the loop
  // above looks at which), false on timeout.
  #arrival(timeoutMs: number, signal: AbortSignal | undefined): Promise<boolean> {
    return new Promise((resolve) => {
      const stopWaiting = (arrived: boolean): void => {
        clearTimeout(timer);
        unwatch();
        this.#waiters = this.#waiters.filter((waiter) => waiter !== wake);
        resolve(arrived);
      };
      const timer = Number.isFinite(timeoutMs)
        ? setTimeout(() => stopWaiting(false), timeoutMs)
        : undefined;
      const unwatch = watchAbort(signal, () => stopWaiting(true));
      const wake = () => {
        clearTimeout(timer);
        unwatch();
        resolve(true);
      };
      this.#waiters.push(wake);
    });
  }

  #wake(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const wake of waiters) wake();
  }

  #take(): Message | undefined {
    const message = this.#buffer.shift();
    if (this.#overflowing && this.#buffer.size <= this.#parts.highWaterMark / 2) {
      this.#overflowing = false;
    }
    return message;
  }

  // One handler call at a time, in order: a slow handler backs up into the bounded buffer.
  async #pump(handler: MessageHandler<Payload>): Promise<void> {
    if (this.#pumping) return;
    this.#pumping = true;
    try {
      for (;;) {
        if (this.#closed) return;
        const received = this.#take();
        if (!received) return;
        const message = await this.#check(received);
        if (!message) continue;
        try {
          await handler(message);
        } catch (error) {
          this.#parts.report(this, error, message);
        }
      }
    } finally {
      this.#pumping = false;
    }
  }

  // With a contract, a message that fails validation is reported and skipped.
  async #check(message: Message): Promise<Message<Payload> | undefined> {
    const { contract } = this.#parts;
    if (!contract) return message as Message<Payload>;
    try {
      const payload = await validate(
        contract.schema,
        message.payload,
        `message on ${message.channel}`,
      );
      return { channel: message.channel, id: message.id, payload: payload as Payload };
    } catch (error) {
      this.#parts.report(this, error, message);
      return undefined;
    }
  }
}
