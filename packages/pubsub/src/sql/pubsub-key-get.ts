import { type Executor, type Pgq, PgqError, SqlState, sqlStateOf } from '@pgq/core';
import { PubSubKeyError } from '../errors/pubsub-key-error.js';

/**
 * Reads the key that signs pub/sub messages (migration 0008). Throws `NotInstalledError`
 * when the schema predates it, else a `PgqError` with code `PGQ_PUBSUB_KEY` (this role may
 * not read it, or the read failed). On `tx` when given, so a first publish inside a
 * transaction needs no second connection.
 */
export async function getPubSubKey(pgq: Pgq, tx?: Executor): Promise<Buffer> {
  let rows: Array<{ key: Buffer }>;
  try {
    rows = await pgq.query<{ key: Buffer }>(`select key from ${pgq.table('pubsub_auth')}`, [], {
      tx,
    });
  } catch (error) {
    if (PgqError.isInstance(error)) throw error;
    const denied = sqlStateOf(error) === SqlState.insufficientPrivilege;
    throw new PubSubKeyError(
      denied
        ? `This role may not read ${pgq.table('pubsub_auth')}, the key that signs pub/sub messages: publish and subscribe as the schema's owner (any role that can read the key can forge messages)`
        : `Could not read the key that signs pub/sub messages: ${(error as Error)?.message ?? String(error)}`,
      { cause: error },
    );
  }
  const key = rows[0]?.key;
  if (!key) {
    throw new PubSubKeyError(
      `${pgq.table('pubsub_auth')} holds no key (its row was deleted): re-create it as migration 0008_pubsub_auth does, then restart every process that publishes or subscribes`,
    );
  }
  return key;
}
