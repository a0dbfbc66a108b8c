import { ValidationError } from '@pgq/core';
import { assertValueSize, isPlainJson } from '@pgq/core/internal';

/** A value as stored: JSON text, or bytes for a `Buffer`/`Uint8Array`. Exactly one is set. */
export interface StoredValue {
  value: string | null;
  bytes: Buffer | null;
}

const notSerialisable = 'Cache value is not JSON-serialisable';

/**
 * Turns a cache value into what is stored. `Buffer` and `Uint8Array` values are stored as
 * bytes (and come back as `Buffer`); anything else must be JSON. Refuses, with a
 * `ValidationError` and before anything is written, what JSON would silently change or
 * cannot hold: functions, symbols, bigints, `NaN`/`Infinity`, `undefined` at the top or in
 * an array, and cycles. `undefined` object properties are dropped, as `JSON.stringify` does.
 * A value over `maxBytes` (its JSON text in UTF-8 bytes, or its bytes) throws
 * `PayloadTooLargeError`, also before anything is written. `path` prefixes the path
 * (setMany passes the entry's key).
 *
 * @example
 * ```ts
 * encodeValue({ name: 'Ada' }, 1_048_576); // { value: '{"name":"Ada"}', bytes: null }
 * encodeValue(Buffer.from([1, 2]), 1_048_576); // { value: null, bytes: <Buffer 01 02> }
 * ```
 */
export function encodeValue(
  value: unknown,
  maxBytes: number,
  path: readonly string[] = [],
): StoredValue {
  const stored = serialise(value, path);
  assertValueSize(
    stored.value ?? (stored.bytes as Buffer),
    maxBytes,
    path.length === 0 ? 'cache value' : `cache value for key ${JSON.stringify(path.join('.'))}`,
    'new Cache(pgq, { maxValueBytes })',
  );
  return stored;
}

function serialise(value: unknown, path: readonly string[]): StoredValue {
  if (Buffer.isBuffer(value)) return { value: null, bytes: value };
  if (value instanceof Uint8Array) {
    return { value: null, bytes: Buffer.from(value.buffer, value.byteOffset, value.byteLength) };
  }
  // Most values are plain data: checked by a quick walk, they need no replacer, which would
  // cost a call per member (several times the cost of the stringify itself).
  if (isPlainJson(value)) return { value: JSON.stringify(value), bytes: null };
  const refuse = (key: string, message: string): never => {
    throw new ValidationError(notSerialisable, [
      { path: key === '' ? path : [...path, key], message },
    ]);
  };
  let text: string | undefined;
  try {
    text = JSON.stringify(value, function refuseLossy(this: unknown, key, member: unknown) {
      switch (typeof member) {
        case 'function':
        case 'symbol':
        case 'bigint':
          return refuse(key, `a ${typeof member} cannot be stored as JSON`);
        case 'number':
          return Number.isFinite(member) ? member : refuse(key, `${member} would become null`);
        case 'undefined':
          // JSON drops an undefined property (fine) but turns one in an array into null.
          return key === '' || Array.isArray(this)
            ? refuse(key, 'undefined cannot be stored')
            : member;
        default:
          return member;
      }
    });
  } catch (error) {
    if (error instanceof ValidationError) throw error;
    // A cycle, or a toJSON() that threw.
    const message = error instanceof Error ? error.message : String(error);
    throw new ValidationError(notSerialisable, [{ path, message }], { cause: error });
  }
  return { value: text as string, bytes: null };
}

/** Turns a stored row back into the value: a `Buffer` for bytes, else the parsed JSON. */
export function decodeValue<T>(stored: StoredValue): T {
  if (stored.bytes !== null) return stored.bytes as T;
  return JSON.parse(stored.value as string) as T;
}
