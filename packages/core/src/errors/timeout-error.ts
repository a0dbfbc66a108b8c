import { PgqError, type PgqErrorOptions } from './pgq-error.js';

/** An operation with a `timeoutMs` did not finish in time. */
export class TimeoutError extends PgqError {
  static readonly code = 'PGQ_TIMEOUT';
  readonly timeoutMs: number;

  constructor(message: string, timeoutMs: number, options?: PgqErrorOptions) {
    super(TimeoutError.code, `${message} (timed out after ${timeoutMs} ms)`, options);
    this.name = 'TimeoutError';
    this.timeoutMs = timeoutMs;
  }
}
