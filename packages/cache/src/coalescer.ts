/** How a `Coalescer` runs its requests. */
export interface CoalescerOptions<Request, Result> {
  /**
   * Runs several requests as one statement and returns each request's result, in order. When
   * it throws it must have changed nothing (one statement is atomic), because each request
   * is then run again on its own with `runOne`.
   */
  runBatch(requests: readonly Request[]): Promise<readonly Result[]>;
  /**
   * Runs one request alone: a batch of one, and each request of a batch that failed, so
   * every caller gets exactly the outcome its own statement would have had. Without it, a
   * batch of one goes through `runBatch` and a failed batch's error reaches every caller
   * (for work that takes nothing from the caller, such as an eviction).
   */
  runOne?(request: Request): Promise<Result>;
  /**
   * When a failed batch is retried one request at a time, requests with the same order key
   * (writes of one cache key) run one after another in call order, so the last caller still
   * wins; other requests run side by side. Default: no order between requests.
   */
  orderKeyOf?(request: Request): string;
  /** Most requests in one batch; more waiting requests go out as further batches at once. */
  maxBatchSize: number;
}

interface Waiting<Request, Result> {
  request: Request;
  resolve(result: Result): void;
  reject(error: unknown): void;
}

/**
 * Coalesces the requests made while the event loop is busy into one batch: the first request
 * schedules a flush with `setImmediate`, which runs once every promise continuation and I/O
 * callback of this turn has had its chance to add its request. So N callers that wake up
 * together (their previous statement came back) cost one round trip and one statement
 * instead of N, while a lone caller waits for no timer.
 *
 * @example
 * ```ts
 * const reads = new Coalescer<string, Row | undefined>({
 *   runBatch: (keys) => readMany(keys), // one statement for every key asked in this turn
 *   runOne: (key) => readOne(key),
 *   maxBatchSize: 500,
 * });
 * const [a, b] = await Promise.all([reads.add('a'), reads.add('b')]); // one statement
 * ```
 */
export class Coalescer<Request, Result> {
  readonly #options: CoalescerOptions<Request, Result>;
  #waiting: Array<Waiting<Request, Result>> = [];
  #scheduled = false;

  constructor(options: CoalescerOptions<Request, Result>) {
    this.#options = options;
  }

  /** Queues `request` for the next batch; resolves with its own result or rejects with its own error. */
  add(request: Request): Promise<Result> {
    return new Promise<Result>((resolve, reject) => {
      this.#waiting.push({ request, resolve, reject });
      if (!this.#scheduled) {
        this.#scheduled = true;
        setImmediate(this.#flush);
      }
    });
  }

  readonly #flush = (): void => {
    this.#scheduled = false;
    const waiting = this.#waiting;
    this.#waiting = [];
    const { maxBatchSize } = this.#options;
    if (waiting.length <= maxBatchSize) {
      void this.#run(waiting);
      return;
    }
    for (let start = 0; start < waiting.length; start += maxBatchSize) {
      void this.#run(waiting.slice(start, start + maxBatchSize));
    }
  };

  async #run(batch: Array<Waiting<Request, Result>>): Promise<void> {
    const { runOne } = this.#options;
    if (batch.length === 1 && runOne) {
      const [only] = batch as [Waiting<Request, Result>];
      try {
        only.resolve(await runOne(only.request));
      } catch (error) {
        only.reject(error);
      }
      return;
    }
    let results: readonly Result[];
    try {
      results = await this.#options.runBatch(batch.map((waiting) => waiting.request));
    } catch (error) {
      if (runOne) await this.#runEach(batch, runOne);
      else for (const waiting of batch) waiting.reject(error);
      return;
    }
    for (let index = 0; index < batch.length; index++) {
      batch[index]!.resolve(results[index] as Result);
    }
  }

  // The slow path after a failed batch: one statement per request, so an error caused by one
  // caller's request (or a lock another transaction holds on one key) stays with that caller.
  async #runEach(
    batch: Array<Waiting<Request, Result>>,
    runOne: (request: Request) => Promise<Result>,
  ): Promise<void> {
    const settle = async (waiting: Waiting<Request, Result>): Promise<void> => {
      try {
        waiting.resolve(await runOne(waiting.request));
      } catch (error) {
        waiting.reject(error);
      }
    };
    const { orderKeyOf } = this.#options;
    if (!orderKeyOf) {
      await Promise.all(batch.map(settle));
      return;
    }
    const chains = new Map<string, Array<Waiting<Request, Result>>>();
    for (const waiting of batch) {
      const orderKey = orderKeyOf(waiting.request);
      const chain = chains.get(orderKey);
      if (chain) chain.push(waiting);
      else chains.set(orderKey, [waiting]);
    }
    await Promise.all(
      Array.from(chains.values(), async (chain) => {
        for (const waiting of chain) await settle(waiting);
      }),
    );
  }
}
