import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createTestDatabase, type TestDatabase } from '@pgq/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Queue } from '../src/queue.js';
import { Scheduler } from '../src/scheduler/scheduler.js';

const repositoryRoot = fileURLToPath(new URL('../../..', import.meta.url));
const childScript = fileURLToPath(new URL('./scheduler-child.ts', import.meta.url));
const windowTicks = 10;

let db: TestDatabase;
const children: ChildProcessWithoutNullStreams[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
});

afterAll(async () => {
  for (const child of children) if (child.exitCode === null) child.kill();
  await db.dispose();
});

interface ChildSummary {
  pid: number;
  fired: number;
  deduplicated: number;
  errors: string[];
}

/** A scheduler in its own OS process; resolves once it has started. */
async function startChild(): Promise<{ stop(): Promise<ChildSummary> }> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', '--conditions=@pgq/source', childScript],
    {
      cwd: repositoryRoot,
      env: { ...process.env, DATABASE_URL: db.url, PGQ_SCHEMA: db.schema },
    },
  );
  children.push(child);
  let output = '';
  let errors = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    output += chunk;
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    errors += chunk;
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  await new Promise<void>((resolve, reject) => {
    const check = () => {
      if (output.includes('ready\n')) resolve();
    };
    child.stdout.on('data', check);
    void exited.then((code) => reject(new Error(`scheduler child exited (${code}): ${errors}`)));
  });
  return {
    async stop() {
      child.stdin.end('stop\n');
      const code = await exited;
      expect(code, errors).toBe(0);
      return JSON.parse(output.trim().split('\n').at(-1)!) as ChildSummary;
    },
  };
}

describe('Scheduler across processes', () => {
  it('enqueues exactly one job per tick with 3 schedulers in separate processes', async () => {
    const processes = await Promise.all([startChild(), startChild(), startChild()]);
    await new Queue(db.pgq, 'ticks').create();
    // Every second, default catchUp and grace: a dropped or doubled tick would show below.
    const schedule = await new Scheduler(db.pgq).set('every-second', {
      cron: '* * * * * *',
      queue: 'ticks',
    });
    const countJobs = async () => {
      const [row] = await db.pgq.query<{ count: number }>(
        `select count(*)::int as count from ${db.pgq.table('jobs')} where queue = 'ticks'`,
      );
      return row!.count;
    };
    // About ten seconds: until the window's ticks all have their job.
    const deadline = Date.now() + 20_000;
    while ((await countJobs()) < windowTicks) {
      expect(Date.now()).toBeLessThan(deadline);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const [{ now: stoppedAt }] = (await db.pgq.query<{ now: Date }>('select now() as now')) as [
      { now: Date },
    ];
    const summaries = await Promise.all(processes.map((child) => child.stop()));

    const ticks = await db.pgq.query<{ tick: Date; jobs: number }>(
      `select run_at as tick, count(*)::int as jobs from ${db.pgq.table('jobs')}
        where queue = 'ticks' group by run_at order by run_at`,
    );
    for (const { tick, jobs } of ticks) console.log(`tick ${tick.toISOString()}: ${jobs} job(s)`);
    const [lateness] = await db.pgq.query<{ median: number; max: number }>(
      `select percentile_cont(0.5) within group (order by late)::float8 as median,
              max(late)::float8 as max
         from (select extract(epoch from created_at - run_at) * 1000 as late
                 from ${db.pgq.table('jobs')} where queue = 'ticks') jobs`,
    );
    console.log(
      `enqueued after its tick: median ${lateness!.median.toFixed(1)} ms, max ${lateness!.max.toFixed(1)} ms`,
    );
    for (const summary of summaries) {
      console.log(`scheduler pid ${summary.pid} fired ${summary.fired} tick(s)`);
    }

    expect(ticks.length).toBeGreaterThanOrEqual(windowTicks);
    // The window: from the schedule's first tick, every second, each with exactly one job...
    expect(ticks[0]!.tick).toEqual(schedule.nextRunAt);
    ticks.forEach(({ tick, jobs }, index) => {
      expect(jobs, tick.toISOString()).toBe(1);
      expect(tick.getTime()).toBe(schedule.nextRunAt!.getTime() + index * 1_000);
    });
    // ...up to the moment the schedulers were stopped.
    expect(ticks.at(-1)!.tick.getTime()).toBeGreaterThan(stoppedAt.getTime() - 2_000);
    // One job per tick came from the row lock alone: the unique-key fence never had to act.
    const fired = summaries.reduce((total, summary) => total + summary.fired, 0);
    expect(fired).toBe(ticks.length);
    expect(summaries.map((summary) => summary.deduplicated)).toEqual([0, 0, 0]);
    expect(summaries.flatMap((summary) => summary.errors)).toEqual([]);
  });
});
