// Issue 12, test 6: the LISTEN connection killed every 2 s for 30 s (pg_terminate_backend)
// while jobs arrive at 20 a second. NOTIFYs sent while a listener is down are lost; the
// workers must still take every job, promptly (the listener's `reconnected` wakes them, the
// fallback poll is the backstop).
import type { Pgq } from '@pgq/core';
import { Queue, Worker } from '@pgq/queue';
import { expect, it } from 'vitest';
import { check, formatCheck, recordCompletions } from '../src/checker.js';
import { type JobPlan, planHandler } from '../src/job-plan.js';
import { waitForEmpty } from '../src/queue-workers.js';
import { useTestDatabase } from '../src/suite.js';
import { sleep, waitUntil } from '../src/wait.js';

const durationMs = 30_000;
const killEveryMs = 2_000;
const jobsPerSecond = 20;
const pollIntervalMs = 5_000;

const db = useTestDatabase({ ledger: true });

/** Pickup delays (database clock, enqueue to first start) at p50, p99 and max, in ms. */
async function pickup(pgq: Pgq, queue: string) {
  const [row] = await pgq.query<{ p50: number; p99: number; max: number }>(
    `with delays as (
       select extract(epoch from min(r.started_at) - a.created_at) * 1000 as ms
         from ${pgq.table('job_archive')} a
         join ${pgq.table('ledger_runs')} r on r.queue = a.queue and r.job_id = a.id
        where a.queue = $1
        group by a.id, a.created_at)
     select round(percentile_disc(0.5) within group (order by ms))::int as p50,
            round(percentile_disc(0.99) within group (order by ms))::int as p99,
            round(max(ms))::int as max
       from delays`,
    [queue],
  );
  return row!;
}

it('LISTEN killed every 2 s for 30 s under 20 jobs/s: 0 lost, pickup p99 reported', async () => {
  const queue = new Queue<JobPlan>(db.pgq, 'listener_kills');
  await queue.create();
  // Two workers, each with its own Pgq and so its own LISTEN connection.
  const workers = [db.connect(), db.connect()].map((pgq) => {
    const worker = new Worker(pgq, queue.name, planHandler(pgq), {
      concurrency: 4,
      pollIntervalMs,
    });
    return { pgq, worker, flush: recordCompletions(pgq, worker) };
  });
  let workerErrors = 0;
  for (const { worker } of workers) worker.on('error', () => workerErrors++);
  await Promise.all(workers.map(({ worker }) => worker.start()));

  const acknowledged: string[] = [];
  let kills = 0;
  let reconnects = 0;
  for (const { pgq } of workers) pgq.listener.on('reconnected', () => reconnects++);
  const startedAt = Date.now();
  const producer = (async () => {
    for (let n = 0; Date.now() - startedAt < durationMs; n++) {
      acknowledged.push((await queue.enqueue({ n, ms: 10 })).id);
      // Paced against the clock, so slow enqueues do not lower the rate.
      await sleep(startedAt + ((n + 1) * 1_000) / jobsPerSecond - Date.now());
    }
  })();
  const killer = (async () => {
    for (let round = 1; round * killEveryMs <= durationMs; round++) {
      await sleep(startedAt + round * killEveryMs - Date.now());
      for (const { pgq } of workers) {
        const pid = pgq.listener.backendPid;
        if (pid === undefined) continue;
        const [row] = await db.pgq.query<{ killed: boolean }>(
          'select pg_terminate_backend($1) as killed',
          [pid],
        );
        if (row!.killed) kills++;
      }
    }
  })();
  try {
    await Promise.all([producer, killer]);
    await waitUntil(() => reconnects >= kills, {
      timeoutMs: 10_000,
      message: 'a killed listener did not reconnect',
    });
    await waitForEmpty(queue, {
      timeoutMs: 2 * pollIntervalMs + 10_000,
      message: 'the queue did not drain',
    });
  } finally {
    await Promise.all(workers.map(({ worker }) => worker.stop()));
    await Promise.all(workers.map(({ flush }) => flush()));
  }
  const result = await check(db.pgq, { queue: queue.name, acknowledged });
  const delays = await pickup(db.pgq, queue.name);
  console.log(
    formatCheck('listener killed every 2 s', result, {
      kills,
      reconnects,
      jobsPerSecond: (acknowledged.length / (durationMs / 1_000)).toFixed(1),
      pickupP50Ms: delays.p50,
      pickupP99Ms: delays.p99,
      pickupMaxMs: delays.max,
      workerErrors,
    }),
  );
  // 15 rounds of 2 listeners.
  expect(kills).toBe(2 * (durationMs / killEveryMs));
  expect(reconnects).toBe(kills);
  expect(result).toMatchObject({
    lost: 0,
    duplicated: 0,
    unexpected: 0,
    stuck: 0,
    staleCompletionsAccepted: 0,
    overlappingLeases: 0,
  });
  expect(result.acknowledged).toBeGreaterThanOrEqual(0.95 * (durationMs / 1_000) * jobsPerSecond);
  // Woken by the reconnect, not left for the fallback poll.
  expect(delays.p99).toBeLessThan(pollIntervalMs / 5);
});
