import { PgqError } from '@pgq/core';

/**
 * A server claimed a request after its caller had stopped waiting (later than the call's
 * `timeoutMs` after it was enqueued, by the database clock), so it did not run the handler.
 * The request job is dead with this error; no reply is written, since nobody would read it.
 *
 * @example
 * ```ts
 * server.worker.on('dead', (job, error) => {
 *   if (PgqError.hasCode(error, RequestExpiredError.code)) metrics.increment('rpc.expired');
 * });
 * ```
 */
export class RequestExpiredError extends PgqError {
  static readonly code = 'PGQ_RPC_EXPIRED';
  readonly requestId: string;
  readonly timeoutMs: number;

  constructor(requestId: string, timeoutMs: number) {
    super(
      RequestExpiredError.code,
      `RPC request ${requestId} started after its caller's ${timeoutMs} ms timeout: not run`,
    );
    this.name = 'RequestExpiredError';
    this.requestId = requestId;
    this.timeoutMs = timeoutMs;
  }
}
