import { PgqError } from './pgq-error.js';

/** A payload is larger than the configured limit. Nothing was written. */
export class PayloadTooLargeError extends PgqError {
  static readonly code = 'PGQ_PAYLOAD_TOO_LARGE';
  readonly size: number;
  readonly limit: number;

  constructor(size: number, limit: number) {
    super(
      PayloadTooLargeError.code,
      `Payload of ${size} bytes exceeds the limit of ${limit} bytes`,
    );
    this.name = 'PayloadTooLargeError';
    this.size = size;
    this.limit = limit;
  }
}
