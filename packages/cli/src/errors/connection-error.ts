import { PgqError, type PgqErrorOptions } from '@pgq/core';

/**
 * PostgreSQL could not be reached or refused the login. The message names the `host:port`
 * that was tried, so a wrong URL or a stopped server is obvious.
 *
 * @example
 * ```ts
 * new ConnectionError('127.0.0.1:1', 'connection refused').message;
 * // 'Cannot connect to PostgreSQL at 127.0.0.1:1: connection refused'
 * ```
 */
export class ConnectionError extends PgqError {
  static readonly code = 'PGQ_CLI_CONNECTION';
  /** `host:port` (or the socket directory) that was tried. */
  readonly address: string;
  readonly reason: string;

  constructor(address: string, reason: string, options?: PgqErrorOptions) {
    super(ConnectionError.code, `Cannot connect to PostgreSQL at ${address}: ${reason}`, options);
    this.name = 'ConnectionError';
    this.address = address;
    this.reason = reason;
  }
}
