import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import type { Pgq } from '@pgq/core';

/** Rows in `rpc_replies`. */
export async function countReplies(pgq: Pgq): Promise<number> {
  const rows = await pgq.query<{ count: number }>(
    `select count(*)::int as count from ${pgq.table('rpc_replies')}`,
  );
  return rows[0]!.count;
}

/** Resolves once `predicate` holds, checking every 10 ms; fails after `timeoutMs`. */
export async function eventually(
  predicate: () => boolean | Promise<boolean>,
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** The sample at quantile `q` (0..1). */
export function quantile(samples: readonly number[], q: number): number {
  const sorted = [...samples].sort((left, right) => left - right);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

/** A promise and the functions that settle it. */
export function deferred<T = void>(): {
  promise: Promise<T>;
  resolve: (value: T) => void;
} {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((settle) => {
    resolve = settle;
  });
  return { promise, resolve };
}

const serverScript = fileURLToPath(new URL('./fixtures/rpc-server-process.ts', import.meta.url));

/** An `RpcServer` in a child process (`fixtures/rpc-server-process.ts`). */
export interface ServerProcess {
  child: ChildProcess;
  /** Asks it to stop gracefully and waits for it to exit; resolves with its exit code. */
  stop(): Promise<number | null>;
}

/** Starts an RPC server process on `queue` and resolves once it is answering. */
export async function startServerProcess(options: {
  url: string;
  schema: string;
  queue: string;
  concurrency: number;
}): Promise<ServerProcess> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', '--conditions=@pgq/source', serverScript],
    {
      env: {
        ...process.env,
        DATABASE_URL: options.url,
        PGQ_SCHEMA: options.schema,
        RPC_QUEUE: options.queue,
        RPC_CONCURRENCY: String(options.concurrency),
      },
      stdio: ['pipe', 'pipe', 'inherit'],
    },
  );
  const exited = once(child, 'exit').then(([code]) => code as number | null);
  await new Promise<void>((resolve, reject) => {
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('ready\n')) resolve();
    });
    exited.then((code) => reject(new Error(`server process exited early with ${code}`)));
  });
  return {
    child,
    async stop() {
      if (child.exitCode === null) child.stdin!.end();
      return exited;
    },
  };
}
