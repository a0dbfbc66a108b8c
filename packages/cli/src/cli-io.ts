/** Where a `pgq` command writes, reads and looks things up: the process, or a test's stand-in. */
export interface CliIo {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream;
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  env: Readonly<Record<string, string | undefined>>;
  /** Where `pgq.config.json` is looked for. */
  cwd: string;
  /**
   * Resolves with the signal on the first Ctrl-C (SIGINT) or SIGTERM, so long-running commands
   * end cleanly; resolves with undefined (and stops watching) once `stop` aborts.
   */
  untilInterrupted(stop?: AbortSignal): Promise<NodeJS.Signals | undefined>;
}

/**
 * The real process's streams, environment, working directory and signals.
 *
 * @example
 * ```ts
 * const exitCode = await run(process.argv.slice(2), processIo());
 * ```
 */
export function processIo(): CliIo {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    env: process.env,
    cwd: process.cwd(),
    untilInterrupted: (stop) =>
      new Promise((resolve) => {
        const finish = (signal: NodeJS.Signals | undefined) => {
          process.off('SIGINT', finish);
          process.off('SIGTERM', finish);
          stop?.removeEventListener('abort', onAbort);
          resolve(signal);
        };
        const onAbort = () => finish(undefined);
        if (stop?.aborted) return resolve(undefined);
        process.on('SIGINT', finish);
        process.on('SIGTERM', finish);
        stop?.addEventListener('abort', onAbort);
      }),
  };
}
