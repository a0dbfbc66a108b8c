import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { Queue, Worker } from '@pgq/queue';
import { createTestDatabase, type TestDatabase } from '@pgq/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { readDashboardSnapshot } from '../src/dashboard/read-dashboard-snapshot.js';
import { assertBuilt, binPath, childEnv, runCli, watch } from './pgq-cli.js';

let db: TestDatabase;
let worker: Worker;

// Known state of queue "dash": 3 due, 1 scheduled, 1 active, 2 dead (in the last minute),
// 4 completed (in the last minute). Queue "idle" is empty and has one live worker.
beforeAll(async () => {
  assertBuilt();
  db = await createTestDatabase();
  const dash = new Queue(db.pgq, 'dash');
  await dash.create({ maxAttempts: 1 });
  await new Queue(db.pgq, 'idle').create();

  await dash.enqueueMany([{ n: 1 }, { n: 2 }, { n: 3 }, { n: 4 }]);
  for (const job of await dash.dequeueMany(4)) await dash.complete(job);
  await dash.enqueueMany([{ n: 5 }, { n: 6 }]);
  for (const job of await dash.dequeueMany(2)) await dash.fail(job, new Error('broken'));
  await dash.enqueue({ n: 7 });
  expect(await dash.dequeue({ leaseMs: 600_000 })).not.toBeNull();
  await dash.enqueueMany([{ n: 8 }, { n: 9 }, { n: 10 }]);
  await dash.enqueue({ n: 11 }, { delayMs: 3_600_000 });

  worker = new Worker(db.pgq, 'idle', async () => {}, { workerId: 'idle-worker' });
  await worker.start();
});

// A test that failed mid-way leaves its dashboard running (refreshing against the database
// until the machine stops): end whatever is still alive.
const started: ChildProcess[] = [];
afterEach(() => {
  for (const child of started.splice(0)) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
});

afterAll(async () => {
  await worker.stop();
  await db.dispose();
});

const expectedDash = {
  name: 'dash',
  pending: 3,
  scheduled: 1,
  active: 1,
  retrying: 0,
  dead: 2,
  completedLastMinute: 4,
  deadLastMinute: 2,
  liveWorkers: 0,
};

// Removes terminal escape sequences, leaving the text a person sees.
function plain(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching escape sequences is the point.
  return text.replace(/\u001b\[[0-9;?]*[A-Za-z]/g, '').replaceAll('\r', '');
}

// The dashboard processes of this file still running (node itself, not the `script` around it).
function dashboardPids(): string[] {
  const pattern = `^${process.execPath} ${binPath} dashboard .*--schema ${db.schema}`;
  const found = spawnSync('pgrep', ['-f', pattern], { encoding: 'utf8' });
  return found.stdout.split('\n').filter((line) => line !== '');
}

function startDashboardInTerminal(shellPrefix = '') {
  // `script` runs the command in a pseudo-terminal: stdin and stdout are a TTY, as for a person.
  const command = [
    shellPrefix,
    'stty cols 160 rows 40;',
    'exec',
    process.execPath,
    binPath,
    'dashboard',
    '--interval',
    '200ms',
    '--database-url',
    `'${db.url}'`,
    '--schema',
    db.schema,
  ].join(' ');
  const child = spawn('script', ['-qfec', command, '/dev/null'], {
    // CI set, as on a CI runner or in some dev containers: ink would draw nothing until exit.
    env: childEnv({ CI: 'true' }),
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  started.push(child);
  return { child, output: watch(child) };
}

describe('dashboard data', () => {
  it('reads depth, recent outcomes, oldest waiting age and live workers in one snapshot', async () => {
    const snapshot = await readDashboardSnapshot(db.pgq);
    expect(snapshot.schema).toBe(db.schema);
    expect(snapshot.queues.map((queue) => queue.name)).toEqual(['dash', 'idle']);
    const [dash, idle] = snapshot.queues;
    expect(dash).toMatchObject(expectedDash);
    expect(dash!.throughputPerSecond).toBeCloseTo(4 / 60, 5);
    expect(dash!.oldestPendingMs).toBeGreaterThanOrEqual(0);
    expect(dash!.oldestPendingMs).toBeLessThan(60_000);
    expect(idle).toMatchObject({ pending: 0, dead: 0, liveWorkers: 1, oldestPendingMs: null });
    expect(snapshot.workers.map((row) => row.id)).toEqual(['idle-worker']);
    expect(snapshot.staleWorkers).toBe(0);
  });

  it('prints one snapshot with --once, as a table or JSON', async () => {
    const on = ['--database-url', db.url, '--schema', db.schema];
    const [table, json] = await Promise.all([
      runCli(['dashboard', '--once', ...on]),
      runCli(['dashboard', '--json', ...on]),
    ]);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(
      /^QUEUE\s+PENDING\s+SCHEDULED\s+ACTIVE\s+RETRYING\s+DEAD\s+DONE\/S\s+DIED\/1M\s+OLDEST\s+WORKERS\n/,
    );
    expect(table.stdout).toMatch(/\ndash\s+3\s+1\s+1\s+0\s+2\s+0\.07\s+2\s+\S+\s+0\n/);
    expect(table.stdout).toContain('Workers: 1 live');
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout).queues[0]).toMatchObject(expectedDash);
  });
});

describe('dashboard in a terminal', () => {
  it('renders the known counts, refreshes, and quits cleanly on q', async () => {
    const { child, output } = startDashboardInTerminal();
    const frame =
      /\ndash\s+3\s+1\s+1\s+0\s+2\s+0\.07\s+2\s+\S+\s+0\n\s*idle\s+0\s+0\s+0\s+0\s+0\s+0\.00\s+0\s+-\s+1\n/;
    // A frame can reach the pipe in more than one chunk: wait for its last line too.
    await output.waitFor('stdout', (text) => frame.test(plain(text)) && text.includes('q quit'));
    const seen = plain(output.stdout());
    expect(seen).toContain(`pgq dashboard  schema ${db.schema} at`);
    expect(seen).toMatch(
      /\nQUEUE\s+PENDING\s+SCHEDULED\s+ACTIVE\s+RETRYING\s+DEAD\s+DONE\/S\s+DIED\/1M\s+OLDEST\s+WORKERS\n/,
    );
    expect(seen).toMatch(/\nWorkers: 1 live\n\s+\S+ pid \d+\s+idle\s+seen \S+ ago\n/);
    expect(seen).toContain('q quit');

    // A new job shows up at the next refresh.
    await new Queue(db.pgq, 'dash').enqueue({ n: 12 });
    await output.waitFor('stdout', (text) => /\ndash\s+4\s+1\s+1\s/.test(plain(text)));

    child.stdin!.write('q');
    const result = await output.done;
    expect(result.code).toBe(0);
    // ink shows the cursor again on exit: the terminal is left as it was found.
    expect(result.stdout.lastIndexOf('\u001b[?25h')).toBeGreaterThan(
      result.stdout.lastIndexOf('\u001b[?25l'),
    );
  });

  it('exits when its terminal goes away, even with hang-ups ignored', async () => {
    const { child, output } = startDashboardInTerminal('trap "" HUP;');
    await output.waitFor('stdout', /Workers: 1 live/);
    expect(dashboardPids()).toHaveLength(1);
    // The terminal closes (and its SIGHUP is ignored): the dashboard must end, not go on
    // refreshing against the database with nobody watching.
    child.kill('SIGKILL');
    await expect.poll(dashboardPids, { timeout: 5_000 }).toEqual([]);
  });

  it('quits cleanly on Ctrl-C', async () => {
    const { child, output } = startDashboardInTerminal();
    await output.waitFor('stdout', /Workers: 1 live/);
    child.stdin!.write('\u0003');
    const result = await output.done;
    expect(result.code).toBe(0);
  });
});
