import { readdir, readFile, readlink, realpath } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';

/** How long the children of a dead postmaster get to notice and exit on their own. */
const graceMs = 1_000;
/** How long SIGKILLed processes get to be gone before `endServerProcesses` gives up. */
const killTimeoutMs = 10_000;

/**
 * The PostgreSQL processes still running on `dataDir`. The postmaster changes into its data
 * folder and every child inherits that, so this finds children a crash left behind, now
 * reparented away from the postmaster. Reads `/proc`, so Linux only: elsewhere none are found.
 */
export async function serverProcesses(dataDir: string): Promise<number[]> {
  if (process.platform !== 'linux') return [];
  const folder = await realpath(dataDir).catch(() => dataDir);
  const pids = (await readdir('/proc')).filter((name) => /^\d+$/.test(name)).map(Number);
  const found = await Promise.all(
    pids.map(async (pid) => {
      // Gone meanwhile, a zombie (no working directory left) or not ours to read: not running.
      const cwd = await readlink(`/proc/${pid}/cwd`).catch(() => undefined);
      if (cwd !== folder) return undefined;
      const name = await readFile(`/proc/${pid}/comm`, 'utf8').catch(() => '');
      // Only PostgreSQL's own: a shell someone opened in the folder is left alone.
      return name.trim() === 'postgres' ? pid : undefined;
    }),
  );
  return found.filter((pid) => pid !== undefined);
}

/**
 * Resolves once no PostgreSQL process runs on `dataDir`. After the postmaster died, its
 * children notice within milliseconds and exit; one that does not within a second (a backend
 * in a CPU-bound query only looks between waits) is SIGKILLed, as PostgreSQL would not start
 * again while one of them still holds the old shared memory.
 */
export async function endServerProcesses(dataDir: string): Promise<void> {
  const graceEnds = Date.now() + graceMs;
  let left = await serverProcesses(dataDir);
  while (left.length > 0 && Date.now() < graceEnds) {
    await sleep(10);
    left = await serverProcesses(dataDir);
  }
  if (left.length === 0) return;
  for (const pid of left) signal(pid, 'SIGKILL');
  const deadline = Date.now() + killTimeoutMs;
  while (left.length > 0) {
    if (Date.now() > deadline)
      throw new Error(`PostgreSQL processes ${left.join(', ')} of ${dataDir} survived SIGKILL`);
    await sleep(10);
    left = await serverProcesses(dataDir);
  }
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // Exited since it was found.
  }
}
