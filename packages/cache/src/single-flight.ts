import { abortable } from '@pgq/core/internal';

interface Flight {
  promise: Promise<unknown>;
  /** Resolves when the flight has run `timeoutMs` without settling. */
  expired: Promise<typeof expired>;
  /** Aborts the task once every caller waiting on it has given up (their signals aborted). */
  controller: AbortController;
  /** Callers waiting on it now. */
  callers: number;
}

const expired = Symbol('expired');

/**
 * In-process de-duplication of concurrent work by key: callers that arrive while a key's
 * flight is running share its outcome (its value or its error) instead of starting their
 * own. A flight that has not settled after `timeoutMs` is abandoned: every caller still
 * waiting on it starts (or joins) a fresh flight, so a hung task never blocks them forever.
 * A caller whose `signal` aborts stops waiting at once; once no caller waits, the task's own
 * signal aborts and the flight is forgotten (the next caller starts a fresh one).
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

  /**
   * Runs `task` for `key`, or joins the flight already running for it. Rejects with
   * `signal.reason` once `signal` aborts (at once, starting nothing, when it already has).
   */
  async run<T>(
    key: string,
    timeoutMs: number,
    task: (signal: AbortSignal) => Promise<T>,
    signal?: AbortSignal,
  ): Promise<T> {
    signal?.throwIfAborted();
    for (;;) {
      const flight = this.#flights.get(key) ?? this.#start(key, timeoutMs, task);
      flight.callers++;
      let outcome: unknown;
      try {
        outcome = await abortable(Promise.race([flight.promise, flight.expired]), signal);
      } finally {
        flight.callers--;
        if (flight.callers === 0 && signal?.aborted) this.#abandon(key, flight, signal.reason);
      }
      if (outcome !== expired) return outcome as T;
    }
  }

  #abandon(key: string, flight: Flight, reason: unknown): void {
    if (this.#flights.get(key) === flight) this.#flights.delete(key);
    flight.controller.abort(reason);
  }

  #start(key: string, timeoutMs: number, task: (signal: AbortSignal) => Promise<unknown>): Flight {
    let timer: NodeJS.Timeout | undefined;
    const controller = new AbortController();
    const promise = Promise.resolve().then(() => task(controller.signal));
    const flight: Flight = {
      controller,
      callers: 0,
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
