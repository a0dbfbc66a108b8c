import type { Pgq } from '@pgq/core';
import { Fifo } from './fifo.js';
import { getPayload } from './sql/payload-get.js';

/**
 * Reads stored bodies: each one once however many routes deliver its message at the same
 * time (an exact and a wildcard subscription both get it), and at most `maxInFlight` reads
 * at once, so a burst of large messages neither holds many bodies in memory nor takes the
 * whole pool from publishers. Reads past the bound wait their turn in arrival order.
 *
 * @example
 * ```ts
 * const fetcher = new PayloadFetcher(pgq, 4);
 * const body = await fetcher.fetch(storedId, 'events.report'); // undefined when gone
 * ```
 */
export class PayloadFetcher {
  readonly #pgq: Pgq;
  readonly #maxInFlight: number;
  readonly #reads = new Map<string, Promise<string | undefined>>();
  readonly #waiting = new Fifo<() => void>();
  #inFlight = 0;

  constructor(pgq: Pgq, maxInFlight: number) {
    this.#pgq = pgq;
    this.#maxInFlight = maxInFlight;
  }

  /** The body stored under `id` for `channel`; undefined when it is gone. */
  fetch(id: string, channel: string): Promise<string | undefined> {
    const key = `${id} ${channel}`;
    let read = this.#reads.get(key);
    if (!read) {
      read = this.#read(id, channel).finally(() => this.#reads.delete(key));
      this.#reads.set(key, read);
    }
    return read;
  }

  async #read(id: string, channel: string): Promise<string | undefined> {
    if (this.#inFlight >= this.#maxInFlight) {
      await new Promise<void>((resolve) => this.#waiting.push(resolve));
    } else {
      this.#inFlight++;
    }
    try {
      return await getPayload(this.#pgq, id, channel);
    } finally {
      // Hand the slot straight to the next read, or give it back.
      const next = this.#waiting.shift();
      if (next) next();
      else this.#inFlight--;
    }
  }
}
