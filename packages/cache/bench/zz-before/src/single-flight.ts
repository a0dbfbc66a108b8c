interface Flight {
  promise: Promise<unknown>;
  /** Resolves when the flight has run `timeoutMs` without settling. */
  expired: Promise<typeof expired>;
}

const expired = Symbol('expired');

/**
 * In-process de-duplication of concurrent work by key: callers that arrive while a key's
 * flight is running share its outcome (its value or its error) instead of starting their
 * own. A flight that has not settled after `timeoutMs` is abandoned: every caller still
 * waiting on it starts (or joins) a fresh flight, so a hung task never blocks them forever.
 *
 * @example
 * ```ts
 * const flights = new SingleFlight();
 * const [a, b] = await Promise.all([
 *   flights.run('user:42', 10_000, () => fetchProfile(42)),
 *   flights.run('user:42', 10_000, () => fetchProfile(42)), // joins the first: one fetch
 * ]);
 * ```
 */
export class SingleFlight {
  readonly #flights = new Map<string, Flight>();

  /** How many keys have a flight running. */
  get size(): number {
    return this.#flights.size;
  }

  /** Runs `task` for `key`, or joins the flight already running for it. */
  async run<T>(key: string, timeoutMs: number, task: () => Promise<T>): Promise<T> {
    for (;;) {
      const flight = this.#flights.get(key) ?? this.#start(key, timeoutMs, task);
      const outcome = await Promise.race([flight.promise, flight.expired]);
      if (outcome !== expired) return outcome as T;
    }
  }

  #start(key: string, timeoutMs: number, task: () => Promise<unknown>): Flight {
    let timer: NodeJS.Timeout | undefined;
    const promise = Promise.resolve().then(task);
    const flight: Flight = {
      promise,
      expired: new Promise((resolve) => {
        timer = setTimeout(() => {
          if (this.#flights.get(key) === flight) this.#flights.delete(key);
          resolve(expired);
        }, timeoutMs);
      }),
    };
    const settle = (): void => {
      clearTimeout(timer);
      if (this.#flights.get(key) === flight) this.#flights.delete(key);
    };
    // Handles the rejection too, so a flight whose callers all moved on is not "unhandled".
    promise.then(settle, settle);
    this.#flights.set(key, flight);
    return flight;
  }
}
