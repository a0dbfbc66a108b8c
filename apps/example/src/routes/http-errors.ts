import { PgqError, RemoteError, TimeoutError, ValidationError } from '@pgq/core';
import type { Context } from 'hono';

// pgq's errors carry stable codes; each maps to the HTTP status a client can act on.
const statusByCode: Record<string, 400 | 502 | 504> = {
  [ValidationError.code]: 400,
  [RemoteError.code]: 502,
  [TimeoutError.code]: 504,
};

/**
 * The app's error handler: pgq errors with a known code become their HTTP status and a
 * `{ error, code }` body; anything else is a 500 (and logged).
 *
 * @example
 * ```ts
 * app.onError(httpErrorHandler(console.error));
 * ```
 */
export function httpErrorHandler(log: (line: string) => void) {
  return (error: Error, c: Context): Response => {
    const status = PgqError.isInstance(error) ? statusByCode[error.code] : undefined;
    if (status) return c.json({ error: error.message, code: (error as PgqError).code }, status);
    log(`${c.req.method} ${c.req.path} failed: ${error.stack ?? error.message}`);
    return c.json({ error: 'Internal server error' }, 500);
  };
}
