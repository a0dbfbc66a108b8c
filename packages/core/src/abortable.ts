import { ValidationError } from './errors/validation-error.js';

/**
 * Checks a `signal` option at the API edge: undefined or an `AbortSignal`, else
 * `ValidationError`. Does not look at whether it aborted (each wait decides what that means).
 *
 * @example
 * ```ts
 * const signal = assertSignal(options.signal);
 * signal?.throwIfAborted(); // an aborted signal rejects at once, before anything starts
 * ```
 */
export function assertSignal(signal: unknown): AbortSignal | undefined {
  if (signal === undefined || signal instanceof AbortSignal) return signal;
  throw new ValidationError(`signal must be an AbortSignal, got ${typeof signal}`);
}

/**
 * Calls `onAbort(signal.reason)` when `signal` aborts; returns the function that stops
 * watching. Call it when the wait ends otherwise, so a long-lived signal (one per request, one
 * per process) does not gather a listener per wait. Does nothing for a signal already aborted:
 * check that first.
 *
 * @example
 * ```ts
 * const unwatch = watchAbort(signal, (reason) => reject(reason));
 * try { return await work(); } finally { unwatch(); }
 * ```
 */
export function watchAbort(
  signal: AbortSignal | undefined,
  onAbort: (reason: unknown) => void,
): () => void {
  if (!signal) return () => {};
  const listener = (): void => onAbort(signal.reason);
  signal.addEventListener('abort', listener, { once: true });
  return () => signal.removeEventListener('abort', listener);
}

/**
 * Settles as `promise` does, or rejects with `signal.reason` once `signal` aborts first (like
 * `fetch` and `timers/promises`); at once when it was aborted already. The work behind
 * `promise` is not stopped: only the wait for it. The abort listener goes when `promise`
 * settles.
 *
 * @example
 * ```ts
 * const value = await abortable(flight, options.signal);
 * ```
 */
export function abortable<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const unwatch = watchAbort(signal, reject);
    promise.then(
      (value) => {
        unwatch();
        resolve(value);
      },
      (error: unknown) => {
        unwatch();
        reject(error);
      },
    );
  });
}
