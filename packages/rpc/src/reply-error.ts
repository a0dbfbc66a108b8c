import { RemoteError } from '@pgq/core';
import { toErrorRecord } from '@pgq/core/internal';

/**
 * An error as a reply carries it to the caller: what `RemoteError` is rebuilt from. The
 * stack stays on the server (in the job's `lastError`): callers get the message and code.
 *
 * @example
 * ```ts
 * const stored: ReplyError = { message: 'no such user', name: 'NotFoundError', code: 'E_NOT_FOUND' };
 * ```
 */
export interface ReplyError {
  message: string;
  /** The thrown error's class name; `NonError` when something other than an Error was thrown. */
  name: string;
  /** The thrown error's own `code`, as a string, when it had one. */
  code?: string;
}

/** Turns anything a handler threw into a `ReplyError`. */
export function toReplyError(thrown: unknown): ReplyError {
  const { message, name, code } = toErrorRecord(thrown);
  return code === undefined ? { message, name } : { message, name, code: String(code) };
}

/** Rebuilds the caller's `RemoteError` from a stored reply error (written by any program). */
export function toRemoteError(stored: unknown): RemoteError {
  const record = (typeof stored === 'object' && stored !== null ? stored : {}) as Record<
    string,
    unknown
  >;
  const message = typeof record.message === 'string' ? record.message : 'The RPC handler failed';
  const remote: { code?: string; name?: string } = {};
  if (typeof record.code === 'string' || typeof record.code === 'number') {
    remote.code = String(record.code);
  }
  if (typeof record.name === 'string') remote.name = record.name;
  return new RemoteError(message, remote);
}
