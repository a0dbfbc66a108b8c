import { PgqError } from './pgq-error.js';

/** The remote side (an RPC handler, a job) failed; carries its message and code. */
export class RemoteError extends PgqError {
  static readonly code = 'PGQ_REMOTE';
  /** The remote error's own `code`, when it had one. */
  readonly remoteCode: string | undefined;
  readonly remoteName: string | undefined;

  constructor(message: string, remote: { code?: string; name?: string } = {}) {
    super(RemoteError.code, message);
    this.name = 'RemoteError';
    this.remoteCode = remote.code;
    this.remoteName = remote.name;
  }
}
