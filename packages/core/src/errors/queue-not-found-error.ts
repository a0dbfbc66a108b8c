import { PgqError, type PgqErrorOptions } from './pgq-error.js';

/** The named queue does not exist: create it with `queue.create()` or `pgq queue create`. */
export class QueueNotFoundError extends PgqError {
  static readonly code = 'PGQ_QUEUE_NOT_FOUND';
  readonly queue: string;

  constructor(queue: string, options?: PgqErrorOptions) {
    super(
      QueueNotFoundError.code,
      `Queue "${queue}" does not exist: create it with queue.create() or \`pgq queue create ${queue}\``,
      options,
    );
    this.name = 'QueueNotFoundError';
    this.queue = queue;
  }
}
