import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, connect as tcpConnect } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { waitUntil } from './wait.js';

/** A PgBouncer started by `startPgBouncer`. */
export interface PgBouncer {
  /** The URL of the database through PgBouncer (same user, password and database). */
  url: string;
  port: number;
  /** What PgBouncer logged so far. */
  log(): string;
  /** Stops it (SIGTERM: immediate shutdown) and deletes its folder. */
  stop(): Promise<void>;
}

/** Options of `startPgBouncer`. */
export interface StartPgBouncerOptions {
  /** The PostgreSQL to pool, e.g. `DATABASE_URL`. Trust and password authentication both work. */
  databaseUrl: string;
  /** Default `'transaction'`, the mode that breaks LISTEN and named prepared statements. */
  poolMode?: 'session' | 'transaction' | 'statement';
  /** Server connections per database and user. Default 20. */
  poolSize?: number;
}

/** Debian's package; CI installs it with `apt-get install -y pgbouncer` when missing. */
export const pgBouncerPath = process.env.PGBOUNCER ?? '/usr/sbin/pgbouncer';

/**
 * Starts Debian's PgBouncer on a free port of 127.0.0.1 in front of `databaseUrl`. Clients
 * are trusted (it listens on loopback only); PgBouncer logs in to PostgreSQL with the URL's
 * password, so an embedded server's password authentication works as well as a trusting
 * server. Running as root, PgBouncer (which refuses root) runs as the `postgres` user.
 *
 * @example
 * ```ts
 * const bouncer = await startPgBouncer({ databaseUrl: process.env.DATABASE_URL! });
 * const pgq = connect({ connectionString: bouncer.url, preparedStatements: false });
 * await bouncer.stop();
 * ```
 */
export async function startPgBouncer(options: StartPgBouncerOptions): Promise<PgBouncer> {
  if (!existsSync(pgBouncerPath)) {
    throw new Error(`${pgBouncerPath} is missing: apt-get install -y pgbouncer`);
  }
  const target = new URL(options.databaseUrl);
  const user = decodeURIComponent(target.username || 'postgres');
  const password = decodeURIComponent(target.password);
  const database = decodeURIComponent(target.pathname.slice(1) || user);
  const port = await freePort();
  const folder = await mkdtemp(join(tmpdir(), 'pgq-pgbouncer-'));
  // Readable by `postgres` when PgBouncer drops root for it.
  await chmod(folder, 0o755);
  const server = [
    `host=${target.hostname}`,
    `port=${target.port || '5432'}`,
    `dbname=${database}`,
    `user=${user}`,
    ...(password ? [`password=${password}`] : []),
  ].join(' ');
  const config = join(folder, 'pgbouncer.ini');
  await writeFile(join(folder, 'userlist.txt'), `"${user}" "${password}"\n`, { mode: 0o644 });
  await writeFile(
    config,
    [
      '[databases]',
      `${database} = ${server}`,
      '[pgbouncer]',
      'listen_addr = 127.0.0.1',
      `listen_port = ${port}`,
      'unix_socket_dir =',
      'auth_type = trust',
      `auth_file = ${join(folder, 'userlist.txt')}`,
      `pool_mode = ${options.poolMode ?? 'transaction'}`,
      `default_pool_size = ${options.poolSize ?? 20}`,
      'max_client_conn = 1000',
      'ignore_startup_parameters = extra_float_digits,options',
      ...(userInfo().uid === 0 ? ['user = postgres'] : []),
      '',
    ].join('\n'),
    { mode: 0o644 },
  );
  let output = '';
  const child: ChildProcess = spawn(pgBouncerPath, [config], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr!.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let running = true;
  void exited.then(() => {
    running = false;
  });
  const stop = async (): Promise<void> => {
    if (running) child.kill('SIGTERM');
    await exited;
    await rm(folder, { recursive: true, force: true });
  };
  try {
    await waitUntil(
      async () => {
        if (!running) throw new Error(`pgbouncer exited: ${output}`);
        return accepts(port);
      },
      { timeoutMs: 10_000, intervalMs: 50, message: () => `pgbouncer not listening: ${output}` },
    );
  } catch (error) {
    await stop();
    throw error;
  }
  const url = new URL(options.databaseUrl);
  url.hostname = '127.0.0.1';
  url.port = String(port);
  return { url: url.toString(), port, log: () => output, stop };
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = tcpConnect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.on('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(),
      );
    });
  });
}
