/**
 * Anything thrown, as pgq stores it: a job's `lastError`, an RPC reply's error. Plain JSON,
 * readable whatever was thrown, and small enough for any column that holds one.
 */
export interface ErrorRecord {
  message: string;
  /** The error's class name (`TypeError`); `NonError` when something other than an Error was thrown. */
  name: string;
  stack?: string;
  /** The error's own `code`, when it had a string or number one. */
  code?: string | number;
}

// Each field is cut to a length that keeps the whole error under the 64 kB that migration
// 0007 allows in jobs.last_error (a message may be as long as a handler makes it).
const maxStackLength = 8_000;
const maxMessageLength = 8_000;
const maxNameLength = 200;

/**
 * Turns anything a handler threw into an `ErrorRecord`. A thrown string becomes the message; a
 * thrown object its JSON; `undefined` and others their `String()`.
 *
 * @example
 * ```ts
 * toErrorRecord(new TypeError('bad')); // { name: 'TypeError', message: 'bad', stack: '...' }
 * toErrorRecord('boom');               // { name: 'NonError', message: 'boom' }
 * ```
 */
export function toErrorRecord(thrown: unknown): ErrorRecord {
  if (thrown instanceof Error) {
    const record: ErrorRecord = {
      name: storable(thrown.name || 'Error', maxNameLength),
      message: storable(thrown.message || String(thrown), maxMessageLength),
    };
    if (thrown.stack) record.stack = storable(thrown.stack, maxStackLength);
    const code = (thrown as { code?: unknown }).code;
    if (typeof code === 'number' && Number.isFinite(code)) record.code = code;
    if (typeof code === 'string') record.code = storable(code, maxNameLength);
    return record;
  }
  return { name: 'NonError', message: storable(describe(thrown), maxMessageLength) };
}

// jsonb cannot store the NUL character; an error message must never make recording it fail.
// The cut falls between characters: half a surrogate pair is not Unicode, and jsonb refuses it.
function storable(text: string, maxLength: number): string {
  const last = text.charCodeAt(maxLength - 1);
  const end =
    text.length > maxLength && last >= 0xd800 && last <= 0xdbff ? maxLength - 1 : maxLength;
  return text.slice(0, end).replaceAll('\u0000', '\\0');
}

function describe(thrown: unknown): string {
  if (typeof thrown === 'string') return thrown;
  if (typeof thrown === 'object' && thrown !== null) {
    try {
      const json = JSON.stringify(thrown);
      if (json !== undefined && json !== '{}') return json;
    } catch {
      // A cycle or a BigInt: fall back to String() below.
    }
  }
  return `Non-error value thrown: ${String(thrown)}`;
}
