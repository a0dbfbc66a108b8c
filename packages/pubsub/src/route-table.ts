import type { Listener } from '@pgq/core';
import type { Inbox, InboxTarget } from './inbox.js';
import { ReplayGuard } from './replay-guard.js';
import type { Subscription } from './subscription.js';

interface Route extends InboxTarget {
  notifyChannel: string;
  subscriptions: Set<Subscription<any>>;
  listening: Promise<() => Promise<void>>;
}

/**
 * Which subscriptions hang off which NOTIFY channel. One listener handler per NOTIFY
 * channel, however many subscriptions use it, so a message is decoded (and a large body
 * fetched) once and handed to every matching subscription. The first subscription of a
 * channel LISTENs; the last one to leave UNLISTENs.
 *
 * @example
 * ```ts
 * const routes = new RouteTable(pgq.listener, inbox, 60_000);
 * await routes.add(subscription, pgq.channel('pubsub:events.>'));
 * await routes.remove(subscription);
 * ```
 */
export class RouteTable {
  readonly #listener: Listener;
  readonly #inbox: Inbox;
  readonly #replayWindowMs: number;
  readonly #routes = new Map<string, Route>();
  readonly #routeOf = new Map<Subscription<any>, Route>();

  constructor(listener: Listener, inbox: Inbox, replayWindowMs: number) {
    this.#listener = listener;
    this.#inbox = inbox;
    this.#replayWindowMs = replayWindowMs;
  }

  /** How many subscriptions are live. */
  get size(): number {
    return this.#routeOf.size;
  }

  /** Every live subscription. */
  get subscriptions(): Subscription<any>[] {
    return [...this.#routeOf.keys()];
  }

  /** Routes `notifyChannel` to `subscription`; resolves once that channel is LISTENed. */
  add(subscription: Subscription<any>, notifyChannel: string): Promise<unknown> {
    const route = this.#routes.get(notifyChannel) ?? this.#open(notifyChannel);
    route.subscriptions.add(subscription);
    this.#routeOf.set(subscription, route);
    return route.listening;
  }

  /** Stops routing to `subscription`; UNLISTENs when it was the channel's last one. */
  async remove(subscription: Subscription<any>): Promise<void> {
    const route = this.#routeOf.get(subscription);
    this.#routeOf.delete(subscription);
    if (!route) return;
    route.subscriptions.delete(subscription);
    if (route.subscriptions.size > 0 || this.#routes.get(route.notifyChannel) !== route) return;
    this.#routes.delete(route.notifyChannel);
    const unlisten = await route.listening.catch(() => undefined);
    await unlisten?.();
  }

  #open(notifyChannel: string): Route {
    const subscriptions = new Set<Subscription<any>>();
    const route: Route = {
      notifyChannel,
      subscriptions,
      // Per route: the same message legitimately arrives once on its channel and once on
      // its fan-out channel.
      replays: new ReplayGuard(this.#replayWindowMs),
      listening: Promise.resolve(async () => {}),
      deliver(message) {
        for (const subscription of subscriptions) {
          if (subscription.matches(message.channel)) subscription.deliver(message);
        }
      },
    };
    route.listening = this.#listener.listen(notifyChannel, (text) =>
      this.#inbox.accept(route, notifyChannel, text),
    );
    // Every subscriber awaits this; the catch keeps a failure from also going unhandled.
    route.listening.catch(() => {});
    this.#routes.set(notifyChannel, route);
    return route;
  }
}
