import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type {
  EmbeddedPostgresReply,
  EmbeddedPostgresRequest,
} from './embedded-postgres-process.js';

/** Where the app's database runs. */
export interface LocalDatabase {
  url: string;
  /** True when an embedded PostgreSQL was started for this process (stopped by `stop()`). */
  embedded: boolean;
  /** Where the embedded server keeps its data, when there is one. */
  dataDir: string | undefined;
  /** Stops the embedded server, if any. Safe to call twice. */
  stop(): Promise<void>;
}

const helper = fileURLToPath(new URL('./embedded-postgres-process.ts', import.meta.url));

/**
 * `PGQ_DATABASE_URL` or `DATABASE_URL` when set; otherwise a real PostgreSQL started from the npm registry
 * by `@pgq/testing` (no Docker, no install), in a helper process of its own (see
 * `embedded-postgres-process.ts` for why): kept in `dataDir` between runs when given, in a
 * temporary folder deleted by `stop()` otherwise.
 *
 * @example
 * ```ts
 * const database = await openLocalDatabase({ dataDir: '.pgq-data' });
 * const pgq = connect({ connectionString: database.url });
 * // ...
 * await database.stop();
 * ```
 */
export async function openLocalDatabase(
  options: EmbeddedPostgresRequest = {},
): Promise<LocalDatabase> {
  const url = process.env.PGQ_DATABASE_URL ?? process.env.DATABASE_URL;
  if (url) return { url, embedded: false, dataDir: undefined, stop: async () => {} };
  // The same Node flags as this process (tsx's loader), in a process group of its own.
  const child = spawn(process.execPath, [...process.execArgv, helper, JSON.stringify(options)], {
    detached: true,
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const started = await new Promise<EmbeddedPostgresReply>((resolve, reject) => {
    child.once('message', (message) => resolve(message as EmbeddedPostgresReply));
    child.once('error', reject);
    child.once('exit', (code) =>
      reject(new Error(`The embedded PostgreSQL process exited (code ${code}) before starting`)),
    );
  });
  if ('error' in started) {
    await exited;
    throw new Error(`Could not start an embedded PostgreSQL: ${started.error}`);
  }
  let stopping: Promise<void> | undefined;
  return {
    url: started.url,
    embedded: true,
    dataDir: started.dataDir,
    stop() {
      stopping ??= (async () => {
        if (child.exitCode === null && child.connected) child.send('stop');
        await exited;
      })();
      return stopping;
    },
  };
}
