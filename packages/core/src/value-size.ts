import { PayloadTooLargeError } from './errors/payload-too-large-error.js';
import { ValidationError } from './errors/validation-error.js';

/** The default limit on a stored value: 1 MiB, as pub/sub's default `maxPayloadBytes`. */
export const defaultMaxValueBytes = 1_048_576;

/**
 * The highest limit a value may be given: PostgreSQL's own limit on a `jsonb` value
 * (2^28 - 1 bytes). Above it a write fails at the server with SQLSTATE 54000 after the whole
 * value was sent.
 */
export const maxValueBytesCeiling = 268_435_455;

/**
 * Throws `PayloadTooLargeError` when `value` (JSON text, measured in UTF-8 bytes, or bytes) is
 * over `limit` bytes. Call it after serialising and before sending anything. `what` and
 * `setting` go into the message: what was too large, and what raises the limit.
 *
 * @example
 * ```ts
 * const text = JSON.stringify(payload);
 * assertValueSize(text, pgq.maxValueBytes, 'job payload', 'connect({ maxValueBytes })');
 * ```
 */
export function assertValueSize(
  value: string | Uint8Array,
  limit: number,
  what: string,
  setting: string,
): void {
  if (typeof value !== 'string') {
    if (value.byteLength > limit) {
      throw new PayloadTooLargeError(value.byteLength, limit, { what, setting });
    }
    return;
  }
  // A UTF-16 unit takes 1 to 3 UTF-8 bytes (a surrogate pair 4 for 2 units): most values are
  // decided by their length alone, without counting bytes.
  if (value.length * 3 <= limit) return;
  const size = Buffer.byteLength(value);
  if (size > limit) throw new PayloadTooLargeError(size, limit, { what, setting });
}

/**
 * Checks a `maxValueBytes`-style option: undefined gives `fallback`, anything else must be a
 * whole number from 1 to `maxValueBytesCeiling`, or `ValidationError` names `name`.
 *
 * @example
 * ```ts
 * const limit = valueSizeLimit('maxValueBytes', options.maxValueBytes, pgq.maxValueBytes);
 * ```
 */
export function valueSizeLimit(name: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (
    typeof value !== 'number' ||
    !Number.isInteger(value) ||
    value < 1 ||
    value > maxValueBytesCeiling
  ) {
    throw new ValidationError(`Invalid ${name}`, [
      {
        path: [name],
        message: `must be a whole number of bytes from 1 to ${maxValueBytesCeiling}, got ${String(value)}`,
      },
    ]);
  }
  return value;
}
