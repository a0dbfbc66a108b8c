import type { Pgq } from '@pgq/core';
import { Fifo } from './fifo.js';
import { notifyMessages, type OutgoingMessage } from './sql/messages-notify.js';

interface Slot {
  message: OutgoingMessage | undefined;
  cancelled: boolean;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/** A place in the send order, taken when `publish` is called and filled once it is ready. */
export interface PublishSlot {
  /** Sends `message` in this slot's place; resolves once its batch has committed. */
  send(message: OutgoingMessage): Promise<void>;
  /** Gives the place up (the publish failed before sending). */
  cancel(): void;
}

/** Limits of one batch: messages and bytes (at least one message always goes). */
export interface BatchLimits {
  maxMessages: number;
  maxBytes: number;
}

/**
 * Sends the publishes made without `tx` in batches, one batch at a time. While a batch is
 * on its way, new publishes gather behind it and go together in the next one: one statement
 * and one commit (hence one turn on PostgreSQL's global NOTIFY lock) per batch rather than
 * per message. Places are taken in call order and batches go one at a time, so messages
 * leave in the order `publish` was called even when the caller does not await each one,
 * and even when one waits on an async contract validation.
 *
 * @example
 * ```ts
 * const batcher = new PublishBatcher(pgq, { maxMessages: 1_000, maxBytes: 8 << 20 });
 * const slot = batcher.reserve();
 * await slot.send(outgoing);
 * ```
 */
export class PublishBatcher {
  readonly #pgq: Pgq;
  readonly #limits: BatchLimits;
  readonly #queue = new Fifo<Slot>();
  #running: Promise<void> | undefined;

  constructor(pgq: Pgq, limits: BatchLimits) {
    this.#pgq = pgq;
    this.#limits = limits;
  }

  /** Takes the next place in the send order. */
  reserve(): PublishSlot {
    const slot: Slot = { message: undefined, cancelled: false, resolve() {}, reject() {} };
    this.#queue.push(slot);
    return {
      send: (message) =>
        new Promise<void>((resolve, reject) => {
          slot.message = message;
          slot.resolve = resolve;
          slot.reject = reject;
          this.#kick();
        }),
      cancel: () => {
        slot.cancelled = true;
        this.#kick();
      },
    };
  }

  /** Resolves once every filled slot has been sent (or failed). */
  async drain(): Promise<void> {
    while (this.#running) await this.#running;
  }

  #kick(): void {
    this.#running ??= this.#run().finally(() => {
      this.#running = undefined;
      // A slot filled after the loop's last look would otherwise wait for the next publish.
      if (this.#headReady()) this.#kick();
    });
  }

  #headReady(): boolean {
    const head = this.#queue.peek();
    return head !== undefined && (head.cancelled || head.message !== undefined);
  }

  async #run(): Promise<void> {
    // Let publishes made in the same tick join the first batch.
    await Promise.resolve();
    while (this.#headReady()) {
      const batch = this.#takeBatch();
      if (batch.length === 0) continue;
      try {
        await notifyMessages(
          this.#pgq,
          batch.map((slot) => slot.message!),
        );
        for (const slot of batch) slot.resolve();
      } catch (error) {
        for (const slot of batch) slot.reject(error);
      }
    }
  }

  // Filled slots from the head, up to the limits; cancelled ones are skipped, and an
  // unfilled one ends the batch (later messages must not overtake it).
  #takeBatch(): Slot[] {
    const batch: Slot[] = [];
    let bytes = 0;
    for (;;) {
      const head = this.#queue.peek();
      if (!head || !(head.cancelled || head.message)) break;
      if (head.cancelled) {
        this.#queue.shift();
        continue;
      }
      const size = head.message!.bytes;
      if (
        batch.length > 0 &&
        (batch.length >= this.#limits.maxMessages || bytes + size > this.#limits.maxBytes)
      )
        break;
      this.#queue.shift();
      batch.push(head);
      bytes += size;
    }
    return batch;
  }
}
