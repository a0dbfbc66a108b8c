import type { MethodContract } from '@pgq/core';

/** Where a call is: waiting for its reply, answered, or given up on (timeout, abort, close). */
export type CallState = 'waiting' | 'answered' | 'abandoned';

/**
 * One call waiting for its reply: how to settle its promise, and what to clean up when it is
 * given up on. Settled exactly once, by whichever comes first: the reply, the timeout, the
 * abort signal or `close()`.
 */
export class PendingCall {
  readonly requestId: string;
  readonly queue: string;
  readonly method: MethodContract | undefined;
  /** The request job's id, once the enqueue returned. */
  jobId: string | undefined;
  #state: CallState = 'waiting';
  readonly #resolve: (value: unknown) => void;
  readonly #reject: (error: unknown) => void;
  readonly #cleanups: Array<() => void> = [];

  constructor(parts: {
    requestId: string;
    queue: string;
    method: MethodContract | undefined;
    resolve: (value: unknown) => void;
    reject: (error: unknown) => void;
  }) {
    this.requestId = parts.requestId;
    this.queue = parts.queue;
    this.method = parts.method;
    this.#resolve = parts.resolve;
    this.#reject = parts.reject;
  }

  get state(): CallState {
    return this.#state;
  }

  /** True once given up on (timeout, abort, close): its request job needs cleaning up. */
  get abandoned(): boolean {
    return this.#state === 'abandoned';
  }

  /** Runs `cleanup` (clear a timer, remove an abort listener) once the call is settled. */
  onSettled(cleanup: () => void): void {
    this.#cleanups.push(cleanup);
  }

  /** Marks the call answered; false when it was settled already. Settle it next with `resolve`/`reject`. */
  answer(): boolean {
    return this.#settle('answered');
  }

  /** Gives up on the call with `error`; false when it was settled already. */
  abandon(error: unknown): boolean {
    if (!this.#settle('abandoned')) return false;
    this.#reject(error);
    return true;
  }

  resolve(value: unknown): void {
    this.#resolve(value);
  }

  reject(error: unknown): void {
    this.#reject(error);
  }

  #settle(state: CallState): boolean {
    if (this.#state !== 'waiting') return false;
    this.#state = state;
    for (const cleanup of this.#cleanups) cleanup();
    this.#cleanups.length = 0;
    return true;
  }
}
