import type { PgqErrorCode } from './pgq-error-code.js';

const marker = Symbol.for('pgq.error');

/** Options shared by every pgq error. */
export interface PgqErrorOptions {
  /** The error that caused this one, e.g. the `pg` error behind a failed query. */
  cause?: unknown;
}

/**
 * The base of every error pgq throws. Check with `PgqError.isInstance(error)` rather than
 * `instanceof`, so the check holds when an app ends up with two copies of `@pgq/core`.
 *
 * @example
 * ```ts
 * try {
 *   await queue.enqueue(payload);
 * } catch (error) {
 *   if (PgqError.isInstance(error) && error.code === 'PGQ_QUEUE_NOT_FOUND') await queue.create();
 * }
 * ```
 */
export class PgqError extends Error {
  // Read by isInstance() through `marker in error`, which works across package copies.
  readonly [marker] = true;
  /** A stable, machine-readable code such as `PGQ_INVALID_NAME`. */
  readonly code: PgqErrorCode;

  constructor(code: PgqErrorCode, message: string, options: PgqErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'PgqError';
    this.code = code;
  }

  /** True for any pgq error, whichever copy of the package created it. */
  static isInstance(error: unknown): error is PgqError {
    return typeof error === 'object' && error !== null && marker in error;
  }

  /** True when `error` is a pgq error with this `code`. */
  static hasCode(error: unknown, code: string): error is PgqError {
    return PgqError.isInstance(error) && error.code === code;
  }
}
