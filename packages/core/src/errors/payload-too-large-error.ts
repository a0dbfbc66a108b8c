import { PgqError, type PgqErrorOptions } from './pgq-error.js';

/** Options of `PayloadTooLargeError`. */
export interface PayloadTooLargeErrorOptions extends PgqErrorOptions {
  /** What was too large, for the message: `'job payload'`, `'cache value'`, ... Default `'payload'`. */
  what?: string;
  /** The setting that raises the limit, for the message: `'connect({ maxValueBytes })'`. */
  setting?: string;
}

/**
 * A value is larger than the configured limit, measured as the UTF-8 bytes of its JSON text
 * (or the length of a `Buffer`). Thrown before anything is sent: nothing was written. Every
 * value pgq stores has a limit: job payloads and results, RPC requests and replies
 * (`connect({ maxValueBytes })`, default 1 MiB), cache values (`Cache` option
 * `maxValueBytes`, default the connection's), pub/sub messages (`PubSub` option
 * `maxPayloadBytes`, default 1 MiB).
 *
 * @example
 * ```ts
 * try {
 *   await reports.enqueue(hugeReport);
 * } catch (error) {
 *   if (PgqError.hasCode(error, PayloadTooLargeError.code)) {
 *     await reports.enqueue({ blobKey: await blobs.put(hugeReport) }); // store a reference instead
 *   }
 * }
 * ```
 */
export class PayloadTooLargeError extends PgqError {
  static readonly code = 'PGQ_PAYLOAD_TOO_LARGE';
  /** The value's size in bytes. */
  readonly size: number;
  /** The limit it broke, in bytes. */
  readonly limit: number;
  /** What was too large: `'job payload'`, `'cache value'`, ... */
  readonly what: string;

  constructor(size: number, limit: number, options: PayloadTooLargeErrorOptions = {}) {
    const what = options.what ?? 'payload';
    const setting = options.setting === undefined ? '' : ` (raise it with ${options.setting})`;
    super(
      PayloadTooLargeError.code,
      `${what[0]!.toUpperCase()}${what.slice(1)} is ${size} bytes, over the limit of ${limit} bytes${setting}; nothing was written`,
      options,
    );
    this.name = 'PayloadTooLargeError';
    this.size = size;
    this.limit = limit;
    this.what = what;
  }
}
