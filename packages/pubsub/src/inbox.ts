import { type Pgq, PgqError } from '@pgq/core';
import { decodeEnvelope, type Envelope } from './envelope.js';
import { MessageDecodeError } from './errors/message-decode-error.js';
import { PayloadExpiredError } from './errors/payload-expired-error.js';
import { Fifo } from './fifo.js';
import type { Message } from './message.js';
import { getPayload } from './sql/payload-get.js';

/** Where a notification goes once decoded: the route it arrived on. */
export interface InboxTarget {
  deliver(message: Message): void;
}

interface Arrival {
  target: InboxTarget;
  notifyChannel: string;
  envelope: Envelope;
  // Set once the body is known: the body text, or the error that lost it.
  outcome: { body: string } | { error: Error } | undefined;
}

/**
 * Turns notifications into messages, in arrival order. A large message's body is fetched
 * from `pubsub_payloads` while later notifications wait behind it, so a subscriber sees a
 * publisher's messages in the order they were sent whatever their sizes. Fetches run
 * concurrently; only delivery is ordered.
 *
 * @example
 * ```ts
 * const inbox = new Inbox(pgq, (error) => bus.emit('error', error));
 * await pgq.listener.listen(notifyChannel, (text) => inbox.accept(route, notifyChannel, text));
 * ```
 */
export class Inbox {
  readonly #pgq: Pgq;
  readonly #report: (error: Error) => void;
  readonly #arrivals = new Fifo<Arrival>();

  constructor(pgq: Pgq, report: (error: Error) => void) {
    this.#pgq = pgq;
    this.#report = report;
  }

  /** Takes one notification's text as the listener hands it over. */
  accept(target: InboxTarget, notifyChannel: string, text: string): void {
    const envelope = decodeEnvelope(text);
    if (!envelope) {
      this.#report(new MessageDecodeError(notifyChannel, text));
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

  async #fetch(envelope: Envelope): Promise<{ body: string } | { error: Error }> {
    try {
      const body = await getPayload(this.#pgq, envelope.body);
      if (body !== undefined) return { body };
      return { error: new PayloadExpiredError(envelope.channel, envelope.id) };
    } catch (error) {
      return {
        error: new PgqError(
          'PGQ_PAYLOAD_FETCH',
          `Could not read the stored body of message ${envelope.id} on "${envelope.channel}": skipped`,
          { cause: error },
        ),
      };
    }
  }

  #flush(): void {
    for (;;) {
      const head = this.#arrivals.peek();
      if (!head?.outcome) return;
      this.#arrivals.shift();
      if ('error' in head.outcome) {
        this.#report(head.outcome.error);
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
      this.#report(new MessageDecodeError(arrival.notifyChannel, body, { cause: error }));
      return undefined;
    }
  }
}
