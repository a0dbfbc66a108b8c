import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createTestDatabase, type TestDatabase } from '@pgq/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Queue, Worker } from '../src/index.js';

const repositoryRoot = fileURLToPath(new URL('../../..', import.meta.url));
const workerScript = fileURLToPath(new URL('./fixtures/worker-process.ts', import.meta.url));

let db: TestDatabase;
const children = new Set<ChildProcess>();

beforeAll(async () => {
  db = await createTestDatabase();
  await db.pgq.query(
    `create table ${db.pgq.table('executions')} (job_id bigint not null, worker text not null,
       started_at timestamptz not null)`,
  );
});

afterEach(() => {
  for (const child of children) child.kill('SIGKILL');
  children.clear();
});

afterAll(async () => {
  await db.dispose();
});

/** Starts a worker process; resolves with it once it is claiming. */
function startWorker(environment: Record<string, string>): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', '--conditions=@pgq/source', workerScript],
    {
      cwd: repositoryRoot,
      env: { ...process.env, DATABASE_URL: db.url, PGQ_SCHEMA: db.schema, ...environment },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  children.add(child);
  child.on('exit', () => children.delete(child));
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('ready')) resolve(child);
    });
    child.on('exit', (code) => reject(new Error(`worker process exited early (${code})`)));
  });
}

/** Stops a worker process gracefully (SIGTERM) and waits for it to exit. */
function stopWorker(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

async function drained(queue: string, total: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const [row] = await db.pgq.query<{ done: number }>(
      `select count(*)::int as done from ${db.pgq.table('job_archive')} where queue = $1`,
      [queue],
    );
    if (row!.done >= total) return;
    if (Date.now() > deadline) throw new Error(`only ${row!.done} of ${total} jobs finished`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

async function executions(queue: string): Promise<{ runs: number; distinct: number }> {
  const [row] = await db.pgq.query<{ runs: number; distinct: number }>(
    `select count(*)::int as runs, count(distinct e.job_id)::int as distinct
       from ${db.pgq.table('executions')} e
       join ${db.pgq.table('job_archive')} a on a.id = e.job_id and a.queue = $1`,
    [queue],
  );
  return row!;
}

async function archived(queue: string): Promise<{ completed: number; other: number }> {
  const [row] = await db.pgq.query<{ completed: number; other: number }>(
    `select count(*) filter (where state = 'completed')::int as completed,
            count(*) filter (where state <> 'completed')::int as other
       from ${db.pgq.table('job_archive')} where queue = $1`,
    [queue],
  );
  return row!;
}

describe('worker processes', () => {
  it('5 worker processes drain 20,000 jobs: none lost, none run twice', async () => {
    const queue = new Queue<{ n: number }>(db.pgq, 'drain');
    await queue.create();
    await queue.enqueueMany(Array.from({ length: 20_000 }, (_, n) => ({ n })));
    const startedAt = Date.now();
    const workers = await Promise.all(
      Array.from({ length: 5 }, () => startWorker({ QUEUE: 'drain', CONCURRENCY: '10' })),
    );
    // Typically 6-16 s; the margin is for a machine loaded by other suites.
    await drained('drain', 20_000, 75_000);
    const seconds = (Date.now() - startedAt) / 1_000;
    await Promise.all(workers.map(stopWorker));
    const ran = await executions('drain');
    const perWorker = await db.pgq.query<{ worker: string; jobs: number }>(
      `select worker, count(*)::int as jobs from ${db.pgq.table('executions')} e
        join ${db.pgq.table('job_archive')} a on a.id = e.job_id and a.queue = 'drain'
       group by worker`,
    );
    console.log(
      `5 processes drained 20,000 jobs in ${seconds.toFixed(1)} s (including start-up); per process: ${perWorker.map((row) => row.jobs).join(', ')}`,
    );
    expect(await archived('drain')).toEqual({ completed: 20_000, other: 0 });
    expect(ran).toEqual({ runs: 20_000, distinct: 20_000 });
    expect(perWorker).toHaveLength(5);
    expect(await queue.stats()).toMatchObject({ pending: 0, active: 0 });
  }, 100_000);

  it('a SIGKILLed worker process: its job runs again after the lease, on another worker', async () => {
    const queue = new Queue<{ n: number }>(db.pgq, 'killed');
    await queue.create();
    const doomed = await startWorker({ QUEUE: 'killed', MODE: 'hang', LEASE_MS: '1000' });
    const { id } = await queue.enqueue({ n: 1 });
    const firstRun = async () =>
      (await db.pgq.query(`select 1 from ${db.pgq.table('executions')} where job_id = $1`, [id]))
        .length > 0;
    await expect.poll(firstRun, { timeout: 10_000, interval: 20 }).toBe(true);
    doomed.kill('SIGKILL');
    const rescuer = new Worker(
      db.pgq,
      queue,
      async (_job, ctx) => {
        await db.pgq.query(
          `insert into ${db.pgq.table('executions')} (job_id, worker, started_at) values ($1, $2, now())`,
          [id, ctx.workerId],
        );
        return 'rescued';
      },
      { rescueIntervalMs: 100 },
    );
    await rescuer.start();
    try {
      expect(await queue.waitFor(id, { timeoutMs: 10_000 })).toBe('rescued');
    } finally {
      await rescuer.stop();
    }
    const runs = await db.pgq.query<{ worker: string; started_at: Date }>(
      `select worker, started_at from ${db.pgq.table('executions')} where job_id = $1 order by started_at`,
      [id],
    );
    expect(runs).toHaveLength(2);
    expect(runs[1]!.worker).toBe(rescuer.id);
    expect(runs[0]!.worker).not.toBe(rescuer.id);
    // Not before the killed worker's lease ran out.
    expect(runs[1]!.started_at.getTime() - runs[0]!.started_at.getTime()).toBeGreaterThanOrEqual(
      1_000,
    );
    expect(await queue.get(id)).toMatchObject({ state: 'completed', attempts: 2 });
  }, 30_000);

  it('4 worker processes, one SIGKILLed every 2 s, drain 10,000 jobs: 0 lost, duplicates <= 3 per kill', async () => {
    const queue = new Queue<{ n: number }>(db.pgq, 'chaos');
    await queue.create({ maxAttempts: 1_000 });
    await queue.enqueueMany(Array.from({ length: 10_000 }, (_, n) => ({ n })));
    // Concurrency 1: a killed process holds the job it runs and the ones whose completion is
    // still being written (its slot frees when the handler returns; one completion batch is
    // in flight, the next waits): in practice up to three jobs that ran and are not yet
    // recorded complete. At-least-once, measured; tests/reliability counts them exactly.
    const environment = {
      QUEUE: 'chaos',
      CONCURRENCY: '1',
      LEASE_MS: '1500',
      RESCUE_INTERVAL_MS: '300',
    };
    const workers = await Promise.all(Array.from({ length: 4 }, () => startWorker(environment)));
    const replacements: Array<Promise<ChildProcess>> = [];
    let kills = 0;
    // Every 2 s, SIGKILL a live worker process and start a replacement (not waited for).
    const chaos = setInterval(() => {
      const victim = workers.splice(Math.floor(Math.random() * workers.length), 1)[0];
      if (!victim) return;
      victim.kill('SIGKILL');
      kills++;
      replacements.push(
        startWorker(environment).then((child) => {
          workers.push(child);
          return child;
        }),
      );
    }, 2_000);
    try {
      // 25-55 s on a quiet 2-core machine since the issue-26 bounds and the expired-lease claim
      // (26 s before); the margin is for a machine loaded by other suites. Only the counts below
      // are asserted: this test is about loss and duplicates, apps/bench about speed.
      await drained('chaos', 10_000, 150_000);
    } finally {
      clearInterval(chaos);
    }
    await Promise.allSettled(replacements);
    await Promise.all(workers.map(stopWorker));
    const ran = await executions('chaos');
    const { completed, other } = await archived('chaos');
    const lost = 10_000 - completed;
    const duplicates = ran.runs - ran.distinct;
    console.log(
      `chaos drain of 10,000 jobs: ${kills} kills, ${lost} lost, ${duplicates} duplicate runs`,
    );
    expect(kills).toBeGreaterThan(0);
    expect(other).toBe(0);
    expect(lost).toBe(0);
    expect(ran.distinct).toBe(10_000);
    expect(duplicates).toBeLessThanOrEqual(3 * kills);
  }, 180_000);
});
