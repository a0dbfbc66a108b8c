import { SqlState, sqlStateOf } from '@pgq/core';
import { ConnectionError } from './errors/connection-error.js';

// Node's socket error codes, said the way an operator reads them.
const socketReasons: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host name lookup failed',
  ETIMEDOUT: 'connection timed out',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ECONNRESET: 'connection reset by the server',
  ENOENT: 'no server socket there',
  EACCES: 'permission denied on the socket',
};

// SQLSTATEs the server answers a login with: class 28 (authorisation), a missing database,
// too many connections, a server starting up or shutting down.
const loginStates: ReadonlySet<string> = new Set([
  SqlState.invalidAuthorizationSpecification,
  SqlState.invalidPassword,
  SqlState.invalidCatalogName,
  SqlState.tooManyConnections,
  SqlState.adminShutdown,
  SqlState.cannotConnectNow,
]);

/**
 * The `ConnectionError` for an error thrown while opening a connection to `address`, or
 * undefined when the error is not about connecting (then it is reported as it is).
 *
 * @example
 * ```ts
 * try { await pool.connect(); } catch (error) { throw connectionErrorFrom(error, '127.0.0.1:1') ?? error; }
 * ```
 */
export function connectionErrorFrom(error: unknown, address: string): ConnectionError | undefined {
  // Node tries every address of a name (IPv6 and IPv4) and throws them together.
  const first =
    error instanceof AggregateError && error.errors.length > 0 ? error.errors[0] : error;
  const code = (first as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && code in socketReasons) {
    return new ConnectionError(address, socketReasons[code]!, { cause: error });
  }
  const state = sqlStateOf(first);
  if (state && loginStates.has(state)) {
    return new ConnectionError(address, (first as Error).message, { cause: error });
  }
  const message = first instanceof Error ? first.message : '';
  if (/timeout|timed out/i.test(message)) {
    return new ConnectionError(address, 'connection timed out', { cause: error });
  }
  if (/terminated unexpectedly|ssl|self[- ]signed|certificate/i.test(message)) {
    return new ConnectionError(address, message, { cause: error });
  }
  return undefined;
}
