import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { type ChildMessage, type ChildRequest, requestVariable } from './child-request.js';

/** How one system's run of one workload ended. */
export type ChildOutcome =
  | { status: 'ok'; metrics: Record<string, number>; notes: string[]; elapsedMs: number }
  | { status: 'failed'; error: string; elapsedMs: number };

const childScript = fileURLToPath(new URL('./child.ts', import.meta.url));
const benchRoot = fileURLToPath(new URL('..', import.meta.url));
const tailLength = 2_000;

/**
 * Runs one workload on one system in a fresh `node --import tsx` process and waits for its
 * result. Past `timeoutMs` the child is killed (SIGKILL) and the run counts as failed, so a
 * hung system cannot hang the bench.
 *
 * @example
 * ```ts
 * const outcome = await runChild(request, 60_000);
 * if (outcome.status === 'ok') console.log(outcome.metrics);
 * ```
 */
export function runChild(request: ChildRequest, timeoutMs: number): Promise<ChildOutcome> {
  const started = performance.now();
  return new Promise((resolve) => {
    const child = fork(childScript, [], {
      cwd: benchRoot,
      execArgv: ['--import', 'tsx'],
      env: { ...process.env, [requestVariable]: JSON.stringify(request) },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    let output = '';
    const keep = (chunk: Buffer) => {
      output = (output + chunk.toString('utf8')).slice(-tailLength);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    let message: ChildMessage | undefined;
    let timedOut = false;
    child.on('message', (received) => {
      message = received as ChildMessage;
    });
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      const elapsedMs = performance.now() - started;
      if (message?.type === 'result') {
        resolve({ status: 'ok', metrics: message.metrics, notes: message.notes, elapsedMs });
        return;
      }
      const reason = timedOut
        ? `timed out after ${Math.round(timeoutMs / 1000)} s`
        : message?.type === 'error'
          ? message.message
          : `exited with ${signal ?? `code ${code}`}`;
      const tail = output.trim().split('\n').slice(-6).join('\n');
      resolve({
        status: 'failed',
        error: tail && message?.type !== 'error' ? `${reason}\n${tail}` : reason,
        elapsedMs,
      });
    });
  });
}
