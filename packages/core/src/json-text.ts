import { ValidationError } from './errors/validation-error.js';
import { isPlainJson } from './plain-json.js';
import { textProblem } from './text.js';
import { assertValueSize } from './value-size.js';

const storable = (text: string): boolean => textProblem(text) === undefined;

/**
 * Serialises a payload or result to JSON text for a `jsonb` column, refusing what JSON would
 * silently change or drop: `undefined` (at the top or in an array), functions, symbols,
 * `BigInt`, `NaN`/`Infinity`, cycles, and strings `jsonb` cannot hold (NUL, lone surrogates).
 * `undefined` object fields are left out, as `JSON.stringify` does. Throws `ValidationError`
 * naming the path of the first bad value, or `PayloadTooLargeError` when the text is over
 * `maxBytes` UTF-8 bytes (pass `pgq.maxValueBytes` for anything stored on a user's behalf;
 * default: no limit, for pgq's own records such as a job's error), so nothing is written.
 *
 * @example
 * ```ts
 * toJsonText({ to: 'ada@example.com' }); // '{"to":"ada@example.com"}'
 * toJsonText({ id: 1n }); // throws ValidationError: payload.id: BigInt is not JSON
 * toJsonText(report, 'payload', pgq.maxValueBytes); // throws PayloadTooLargeError past 1 MiB
 * ```
 */
export function toJsonText(
  value: unknown,
  what = 'payload',
  maxBytes = Number.POSITIVE_INFINITY,
): string {
  const text = serialise(value, what);
  if (maxBytes !== Number.POSITIVE_INFINITY) {
    assertValueSize(text, maxBytes, what, 'connect({ maxValueBytes })');
  }
  return text;
}

function serialise(value: unknown, what: string): string {
  // Most payloads are plain data: one walk that allocates nothing proves it, and the native
  // serialiser runs without a replacer. Anything else takes the checking path, which names
  // the problem (or serialises what the walk would not vouch for, such as a Map or a toJSON).
  if (isPlainJson(value, storable)) {
    try {
      return JSON.stringify(value);
    } catch {
      // A getter that threw or changed its answer: the checking path says what went wrong.
    }
  }
  return checkedJsonText(value, what);
}

function checkedJsonText(value: unknown, what: string): string {
  const paths = new WeakMap<object, string>();
  let text: string | undefined;
  try {
    text = JSON.stringify(value, function replacer(this: unknown, key: string, item: unknown) {
      const parentPath = typeof this === 'object' && this !== null ? paths.get(this) : undefined;
      const path = parentPath === undefined ? what : `${parentPath}.${key}`;
      const problem = problemWith(item, Array.isArray(this) || key === '');
      if (problem)
        throw new ValidationError(`Invalid ${what}`, [{ path: [path], message: problem }]);
      const keyProblem = textProblem(key);
      if (keyProblem) {
        throw new ValidationError(`Invalid ${what}`, [
          { path: [path], message: `a key ${keyProblem}` },
        ]);
      }
      if (typeof item === 'object' && item !== null) paths.set(item, path);
      return item;
    });
  } catch (error) {
    if (error instanceof ValidationError) throw error;
    // JSON.stringify throws a TypeError for cycles (and for a toJSON that throws).
    throw new ValidationError(`Invalid ${what}: ${(error as Error).message}`, [], { cause: error });
  }
  if (text === undefined) throw new ValidationError(`Invalid ${what}: undefined is not JSON`);
  return text;
}

function problemWith(item: unknown, undefinedIsLost: boolean): string | undefined {
  switch (typeof item) {
    case 'bigint':
      return 'BigInt is not JSON (convert it to a string or number)';
    case 'function':
      return 'a function is not JSON';
    case 'symbol':
      return 'a symbol is not JSON';
    case 'number':
      return Number.isFinite(item) ? undefined : `${item} is not JSON`;
    case 'string':
      return textProblem(item);
    case 'undefined':
      return undefinedIsLost ? 'undefined is not JSON' : undefined;
    default:
      return undefined;
  }
}
