import { type ChildProcess, spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The built binary: `pnpm test` builds every package before vitest runs. */
export const binPath = fileURLToPath(new URL('../dist/bin.js', import.meta.url));
const sourceDirectory = fileURLToPath(new URL('../src', import.meta.url));

/** What a finished `pgq` process did. */
export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Options of `runCli` and `startCli`. */
export interface CliOptions {
  /** Extra environment; the database variables of the test process are removed first. */
  env?: Record<string, string | undefined>;
  cwd?: string;
  /** Written to stdin, which is then closed. */
  input?: string;
}

/** Fails with a clear message when the binary is missing or older than the source. */
export function assertBuilt(): void {
  let built: number;
  try {
    built = statSync(binPath).mtimeMs;
  } catch {
    throw new Error(
      `${binPath} is missing: build first (npx turbo run build --filter=@pgq/cli...)`,
    );
  }
  const newest = Math.max(
    ...readdirSync(sourceDirectory, { recursive: true, encoding: 'utf8' }).map(
      (file) => statSync(`${sourceDirectory}/${file}`).mtimeMs,
    ),
  );
  if (newest > built) {
    throw new Error(
      `${binPath} is older than src/: rebuild (npx turbo run build --filter=@pgq/cli...)`,
    );
  }
}

/** The environment of a child: the test's own, without the settings the tests control. */
export function childEnv(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of ['DATABASE_URL', 'PGQ_DATABASE_URL', 'PGQ_SCHEMA', 'PGQ_DEBUG'])
    delete env[name];
  for (const [name, value] of Object.entries(extra)) {
    if (value === undefined) delete env[name];
    else env[name] = value;
  }
  return env;
}

/** Starts `pgq <args>` as a child process (the real binary) and leaves it running. */
export function startCli(args: readonly string[], options: CliOptions = {}): ChildProcess {
  return spawn(process.execPath, [binPath, ...args], {
    env: childEnv(options.env),
    cwd: options.cwd ?? process.cwd(),
    stdio: ['pipe', 'pipe', 'pipe'],
  });
}

/** A running child's output so far, and ways to wait on it. */
export interface WatchedChild {
  stdout(): string;
  stderr(): string;
  /** Resolves once the stream's whole output so far matches `pattern` (or passes the test). */
  waitFor(
    stream: 'stdout' | 'stderr',
    pattern: RegExp | ((text: string) => boolean),
    timeoutMs?: number,
  ): Promise<string>;
  /** Resolves when the child has exited and its streams are closed. */
  done: Promise<CliResult>;
}

/** Starts collecting a child's output (call it right after spawning). */
export function watch(child: ChildProcess): WatchedChild {
  const text = { stdout: '', stderr: '' };
  const waiters = new Set<() => void>();
  const collect = (name: 'stdout' | 'stderr') => (chunk: string) => {
    text[name] += chunk;
    for (const check of [...waiters]) check();
  };
  child.stdout?.setEncoding('utf8').on('data', collect('stdout'));
  child.stderr?.setEncoding('utf8').on('data', collect('stderr'));
  const done = new Promise<CliResult>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      resolve({ code, signal, ...text });
      for (const check of [...waiters]) check();
    });
  });
  let exited = false;
  void done.then(() => {
    exited = true;
  });
  return {
    stdout: () => text.stdout,
    stderr: () => text.stderr,
    done,
    waitFor: (stream, pattern, timeoutMs = 10_000) =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(
            new Error(
              `Timed out waiting for ${pattern} on ${stream}:\n${text[stream]}\nstderr:\n${text.stderr}`,
            ),
          );
        }, timeoutMs);
        const matches =
          typeof pattern === 'function' ? pattern : (seen: string) => pattern.test(seen);
        const check = () => {
          if (matches(text[stream])) {
            clearTimeout(timer);
            waiters.delete(check);
            resolve(text[stream]);
          } else if (exited) {
            clearTimeout(timer);
            waiters.delete(check);
            reject(
              new Error(
                `Exited before ${pattern} on ${stream}:\n${text[stream]}\nstderr:\n${text.stderr}`,
              ),
            );
          }
        };
        waiters.add(check);
        check();
      }),
  };
}

/** Runs `pgq <args>` to the end. */
export async function runCli(
  args: readonly string[],
  options: CliOptions = {},
): Promise<CliResult> {
  const child = startCli(args, options);
  const { done } = watch(child);
  child.stdin?.end(options.input ?? '');
  return done;
}
