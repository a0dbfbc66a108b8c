import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const repositoryRoot = fileURLToPath(new URL('../../..', import.meta.url));

/** How a child process ended. */
export interface ChildExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** A child process started by `startChild`, with what it printed so far. */
export interface Child {
  readonly process: ChildProcess;
  readonly pid: number;
  /** What followed `ready` on its ready line (a worker prints its worker id). */
  readonly id: string;
  /** Every stdout line, in order (the ready line included). */
  readonly lines: string[];
  /** Resolves when the process has exited. */
  readonly exited: Promise<ChildExit>;
}

/** Options of `startChild`. */
export interface StartChildOptions {
  /** Extra environment, on top of this process's. */
  env?: Record<string, string>;
  /** How long to wait for the ready line. Default 30 000 ms (tsx start-up on a busy box). */
  readyTimeoutMs?: number;
}

const children = new Set<Child>();

/**
 * Starts `script` (TypeScript, resolved against this package) in a process of its own:
 * `node --import tsx --conditions=@pgq/source`, cwd the repository root, so it runs the
 * packages' sources. Resolves once it prints a line starting with `ready`; rejects when it
 * exits or stays silent first. Every child is tracked until it exits; `stopChildren()` kills
 * the leftovers.
 *
 * @example
 * ```ts
 * const child = await startChild('fixtures/queue-worker.ts', { env: { QUEUE: 'chaos' } });
 * await killChild(child);
 * afterEach(stopChildren);
 * ```
 */
export async function startChild(script: string, options: StartChildOptions = {}): Promise<Child> {
  const path = fileURLToPath(new URL(`../${script}`, import.meta.url));
  const process_ = spawn(process.execPath, ['--import', 'tsx', '--conditions=@pgq/source', path], {
    cwd: repositoryRoot,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines: string[] = [];
  const exited = new Promise<ChildExit>((resolve) => {
    process_.once('exit', (code, signal) => resolve({ code, signal }));
  });
  const ready = new Promise<string>((resolve, reject) => {
    createInterface({ input: process_.stdout! }).on('line', (line) => {
      lines.push(line);
      if (line.startsWith('ready')) resolve(line.slice('ready'.length).trim());
    });
    void exited.then(({ code, signal }) =>
      reject(new Error(`${script} exited before it was ready (${signal ?? code})`)),
    );
  });
  const child: Child & { id: string } = {
    process: process_,
    pid: process_.pid!,
    id: '',
    lines,
    exited,
  };
  children.add(child);
  void exited.then(() => children.delete(child));
  const timeoutMs = options.readyTimeoutMs ?? 30_000;
  let timer: NodeJS.Timeout | undefined;
  const silent = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`${script} not ready within ${timeoutMs} ms`)),
      timeoutMs,
    );
  });
  try {
    child.id = await Promise.race([ready, silent]);
    return child;
  } catch (error) {
    await killChild(child);
    throw error;
  } finally {
    clearTimeout(timer);
  }
}

/** SIGKILLs a child and resolves once it has exited. */
export async function killChild(child: Child): Promise<ChildExit> {
  signal(child, 'SIGKILL');
  return child.exited;
}

/**
 * Asks a child to stop (SIGTERM) and resolves once it has exited; SIGKILLs it past
 * `timeoutMs` (default 15 000).
 */
export async function terminateChild(child: Child, timeoutMs = 15_000): Promise<ChildExit> {
  signal(child, 'SIGTERM');
  const timer = setTimeout(() => signal(child, 'SIGKILL'), timeoutMs);
  try {
    return await child.exited;
  } finally {
    clearTimeout(timer);
  }
}

/** Terminates every one of `children` (see `terminateChild`), at once. */
export function terminateChildren(children: readonly Child[]): Promise<ChildExit[]> {
  return Promise.all(children.map((child) => terminateChild(child)));
}

/** Sends `name` to a child that is still running (SIGSTOP and SIGCONT included). */
export function signal(child: Child, name: NodeJS.Signals): void {
  if (child.process.exitCode === null && child.process.signalCode === null) {
    child.process.kill(name);
  }
}

/** SIGKILLs every child still running (resumed first if stopped); for `afterEach`. */
export async function stopChildren(): Promise<void> {
  const running = [...children];
  for (const child of running) {
    signal(child, 'SIGCONT');
    signal(child, 'SIGKILL');
  }
  await Promise.all(running.map((child) => child.exited));
}
