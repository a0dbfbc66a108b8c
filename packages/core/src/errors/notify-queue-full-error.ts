import { PgqError, type PgqErrorOptions } from './pgq-error.js';

/**
 * The server's NOTIFY queue is full, so the transaction that sent a NOTIFY could not commit
 * (SQLSTATE 54000): nothing it wrote was kept. The queue is trimmed only past what every
 * listening session has read, and a session reads only between transactions, so one that
 * LISTENs and holds a transaction open stops the trimming. `health()` reports how full the
 * queue is (`notifyQueueUsage`) and names the sessions holding transactions open.
 *
 * @example
 * ```ts
 * try {
 *   await emails.enqueue(payload, { durable: false });
 * } catch (error) {
 *   if (PgqError.hasCode(error, NotifyQueueFullError.code)) console.error((await health(pgq)).warnings);
 * }
 * ```
 */
export class NotifyQueueFullError extends PgqError {
  static readonly code = 'PGQ_NOTIFY_QUEUE_FULL';

  constructor(options?: PgqErrorOptions) {
    super(
      NotifyQueueFullError.code,
      "PostgreSQL's NOTIFY queue is full, so nothing was written: a session that LISTENs is holding a transaction open and must end it (see health())",
      options,
    );
    this.name = 'NotifyQueueFullError';
  }
}
