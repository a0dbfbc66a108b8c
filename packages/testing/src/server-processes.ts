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
  // An exiting process lets go of its working folder a moment before it is gone: one seen
  // once is waited for by its pid too (it was still running, under load, when this returned).
  const seen = new Set<number>();
  const stillThere = async (): Promise<number[]> => {
    for (const pid of await serverProcesses(dataDir)) seen.add(pid);
    const alive = await Promise.all(
      [...seen].map(async (pid) => ((await exited(pid)) ? [] : [pid])),
    );
    return alive.flat();
  };
  let left = await stillThere();
  while (left.length > 0 && Date.now() < graceEnds) {
    await sleep(10);
    left = await stillThere();
  }
  if (left.length === 0) return;
  // Only those still in the data folder: a pid that left it may be gone and reused.
  for (const pid of await serverProcesses(dataDir)) signal(pid, 'SIGKILL');
  const deadline = Date.now() + killTimeoutMs;
  while (left.length > 0) {
    if (Date.now() > deadline)
      throw new Error(`PostgreSQL processes ${left.join(', ')} of ${dataDir} survived SIGKILL`);
    await sleep(10);
    left = await stillThere();
  }
}

/** Whether `pid` is gone or a zombie (exited, not yet reaped by its parent). */
async function exited(pid: number): Promise<boolean> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => undefined);
  if (stat === undefined) return true;
  const state = stat.slice(stat.lastIndexOf(')') + 2)[0];
  return state === 'Z' || state === 'X';
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // Exited since it was found.
  }
}
