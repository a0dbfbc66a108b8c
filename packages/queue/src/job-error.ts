/**
 * A failed attempt's error as stored on the job (`lastError`): readable whatever was thrown.
 *
 * @example
 * ```ts
 * const job = await emails.get(id);
 * if (job?.state === 'dead') console.error(job.lastError?.message);
 * ```
 */
export interface JobError {
  message: string;
  /** The error's class name (`TypeError`); `NonError` when something other than an Error was thrown. */
  name: string;
  stack?: string;
  /** The error's own `code`, when it had a string or number one. */
  code?: string | number;
}

const maxStackLength = 8_000;

/**
 * Turns anything a handler threw into a `JobError`. A thrown string becomes the message; a
 * thrown object its JSON; `undefined` and others their `String()`.
 *
 * @example
 * ```ts
 * toJobError(new TypeError('bad')); // { name: 'TypeError', message: 'bad', stack: '...' }
 * toJobError('boom');               // { name: 'NonError', message: 'boom' }
 * ```
 */
export function toJobError(thrown: unknown): JobError {
  if (thrown instanceof Error) {
    const record: JobError = {
      name: storable(thrown.name || 'Error'),
      message: storable(thrown.message || String(thrown)),
    };
    if (thrown.stack) record.stack = storable(thrown.stack.slice(0, maxStackLength));
    const code = (thrown as { code?: unknown }).code;
    if (typeof code === 'number' && Number.isFinite(code)) record.code = code;
    if (typeof code === 'string') record.code = storable(code);
    return record;
  }
  return { name: 'NonError', message: storable(describe(thrown)) };
}

// jsonb cannot store the NUL character; an error message must never make recording it fail.
function storable(text: string): string {
  return text.replaceAll('\u0000', '\\0');
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
