import { PgqError } from '@pgq/core';
import { decodeEnvelope, type Envelope } from './envelope.js';
import { MessageDecodeError } from './errors/message-decode-error.js';
import { MessageRejectedError, type RejectionReason } from './errors/message-rejected-error.js';
import { PayloadExpiredError } from './errors/payload-expired-error.js';
import { PayloadFetchError } from './errors/payload-fetch-error.js';
import { Fifo } from './fifo.js';
import type { Message } from './message.js';
import type { MessageKey } from './message-key.js';
import type { PayloadFetcher } from './payload-fetcher.js';
import type { ReplayGuard } from './replay-guard.js';

/** Where a notification goes once decoded: the route it arrived on. */
export interface InboxTarget {
  /** The message ids this route has had: each is delivered once. */
  readonly replays: ReplayGuard;
  deliver(message: Message): void;
}

/** What an `Inbox` works with. */
export interface InboxParts {
  /** The schema's key; set before the first LISTEN. */
  key: () => MessageKey | undefined;
  fetcher: PayloadFetcher;
  report: (error: Error) => void;
}

interface Arrival {
  target: InboxTarget;
  notifyChannel: string;
  envelope: Envelope;
  // Set once the body is known: the body text, or the error that lost it.
  outcome: { body: string } | { error: Error } | undefined;
}

// Rejections are reported at most this often (the first one at once).
const reportEveryMs = 60_000;

/**
 * Turns notifications into messages, in arrival order. Only genuine messages get through:
 * signed with the schema's key, in the current format, with a valid channel, not seen on
 * this route before and not older than the replay window. Anything else is dropped before
 * any query, counted in `rejected` and reported sparingly, so forged notifications cost a
 * hash each and nothing more (issue #26). A large message's body is fetched from
 * `pubsub_payloads` while later notifications wait behind it, so a subscriber sees a
 * publisher's messages in the order they were sent whatever their sizes.
 *
 * @example
 * ```ts
 * const inbox = new Inbox({ key: () => key, fetcher, report: (error) => bus.emit('error', error) });
 * await pgq.listener.listen(notifyChannel, (text) => inbox.accept(route, notifyChannel, text));
 * ```
 */
export class Inbox {
  readonly #parts: InboxParts;
  readonly #arrivals = new Fifo<Arrival>();
  #rejected = 0;
  #lastReportAt = Number.NEGATIVE_INFINITY;

  constructor(parts: InboxParts) {
    this.#parts = parts;
  }

  /** Notifications dropped as not genuine (see `MessageRejectedError`). */
  get rejected(): number {
    return this.#rejected;
  }

  /** Takes one notification's text as the listener hands it over. */
  accept(target: InboxTarget, notifyChannel: string, text: string): void {
    const key = this.#parts.key();
    if (!key) return;
    const envelope = decodeEnvelope(text, key);
    if (typeof envelope === 'string') {
      this.#reject(envelope, notifyChannel);
      return;
    }
    const now = Date.now();
    const replay = target.replays.admit(envelope.id, envelope.sentAt, now);
    if (replay) {
      this.#reject(replay, notifyChannel);
      return;
    }
    const arrival: Arrival = {
      target,
      notifyChannel,
      envelope,
      outcome: envelope.stored ? undefined : { body: envelope.body },
    };
    this.#arrivals.push(arrival);
    if (arrival.outcome) {
      this.#flush();
      return;
    }
    void this.#fetch(envelope).then((outcome) => {
      arrival.outcome = outcome;
      this.#flush();
    });
  }

  /** Forgets everything waiting (on close). */
  clear(): void {
    this.#arrivals.clear();
  }

  #reject(reason: RejectionReason, notifyChannel: string): void {
    this.#rejected++;
    const now = Date.now();
    if (now - this.#lastReportAt < reportEveryMs) return;
    this.#lastReportAt = now;
    this.#parts.report(new MessageRejectedError(reason, notifyChannel, this.#rejected));
  }

  async #fetch(envelope: Envelope): Promise<{ body: string } | { error: Error }> {
    try {
      const body = await this.#parts.fetcher.fetch(envelope.body, envelope.channel);
      if (body !== undefined) return { body };
      return { error: new PayloadExpiredError(envelope.channel, envelope.id) };
    } catch (error) {
      return {
        error: new PayloadFetchError(envelope.id, envelope.channel, { cause: error }),
      };
    }
  }

  #flush(): void {
    for (;;) {
      const head = this.#arrivals.peek();
      if (!head?.outcome) return;
      this.#arrivals.shift();
      if ('error' in head.outcome) {
        this.#parts.report(head.outcome.error);
        continue;
      }
      const message = this.#decode(head, head.outcome.body);
      if (message) head.target.deliver(message);
    }
  }

  #decode(arrival: Arrival, body: string): Message | undefined {
    const { envelope } = arrival;
    if (envelope.kind === 'string') {
      return { channel: envelope.channel, id: envelope.id, payload: body };
    }
    try {
      return { channel: envelope.channel, id: envelope.id, payload: JSON.parse(body) };
    } catch (error) {
      this.#parts.report(new MessageDecodeError(arrival.notifyChannel, body, { cause: error }));
      return undefined;
    }
  }
}
