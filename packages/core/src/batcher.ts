interface Entry<Item, Outcome> {
  item: Item;
  resolve(outcome: Outcome): void;
  reject(error: unknown): void;
}

/**
 * Gathers writes into batches: the first write goes out on the next turn of the event loop,
 * and whatever arrives while a batch is in flight goes out together right after it. A lone
 * call waits for nothing; busy callers share one statement per round trip, which is where
 * throughput comes from (River's batch completer does the same), and fewer statements mean
 * fewer NOTIFYs, which serialise commits on a global lock.
 *
 * @example
 * ```ts
 * const inserts = new Batcher((rows: Row[]) => insertMany(rows), 500);
 * const id = await inserts.add(row);
 * ```
 */
export class Batcher<Item, Outcome> {
  readonly #write: (items: Item[]) => Promise<Outcome[]>;
  readonly #maxBatchSize: number;
  #pending: Array<Entry<Item, Outcome>> = [];
  #flushing: Promise<void> | undefined;
  #scheduled = false;

  /** `write` returns one outcome per item, in order. */
  constructor(write: (items: Item[]) => Promise<Outcome[]>, maxBatchSize: number) {
    this.#write = write;
    this.#maxBatchSize = maxBatchSize;
  }

  /** Queues one write; resolves with its outcome, rejects when its batch failed. */
  add(item: Item): Promise<Outcome> {
    return new Promise((resolve, reject) => {
      this.#pending.push({ item, resolve, reject });
      if (this.#scheduled || this.#flushing) return;
      this.#scheduled = true;
      setImmediate(() => {
        this.#scheduled = false;
        this.#flushing = this.#flush();
      });
    });
  }

  /** Resolves once every queued write is done. */
  async drain(): Promise<void> {
    while (this.#scheduled || this.#flushing) {
      await (this.#flushing ?? new Promise((resolve) => setImmediate(resolve)));
    }
  }

  async #flush(): Promise<void> {
    while (this.#pending.length > 0) {
      const batch = this.#pending.splice(0, this.#maxBatchSize);
      try {
        const outcomes = await this.#write(batch.map((entry) => entry.item));
        for (const [index, entry] of batch.entries()) entry.resolve(outcomes[index]!);
      } catch (error) {
        for (const entry of batch) entry.reject(error);
      }
    }
    this.#flushing = undefined;
  }
}
