// Issue 12, test 5: PostgreSQL stopped and started under load. Worker processes, a producer
// and a pub/sub subscriber are running; none is told about the restart. Every enqueue that
// was acknowledged must complete, and everything must resume on its own.
import type { Pgq } from '@pgq/core';
import { PubSub } from '@pgq/pubsub';
import { Queue } from '@pgq/queue';
import { afterEach, expect, it } from 'vitest';
import { check, formatCheck } from '../src/checker.js';
import type { JobPlan } from '../src/job-plan.js';
import { stopChildren, terminateChildren } from '../src/processes.js';
import { startQueueWorkers, waitForEmpty } from '../src/queue-workers.js';
import { useEmbeddedServer, useTestDatabase } from '../src/suite.js';
import { sleep, waitUntil } from '../src/wait.js';

const leaseMs = 3_000;
const rescueIntervalMs = 1_000;
const outageMs = 2_000;
const batchSize = 5;
const concurrency = 4;

// Durable: acknowledged means committed and flushed, as in production.
const server = useEmbeddedServer({ durable: true });
const db = useTestDatabase({ server, ledger: true });
afterEach(stopChildren);

/** Enqueues `batchSize` jobs every 50 ms until stopped; remembers what was acknowledged, and when. */
function startProducer(queue: Queue<JobPlan>) {
  const acknowledged: string[] = [];
  const acknowledgedAt: number[] = [];
  let errors = 0;
  let running = true;
  let n = 0;
  const done = (async () => {
    while (running) {
      const plans = Array.from({ length: batchSize }, () => ({ n: n++, ms: 50 }));
      try {
        const results = await queue.enqueueMany(plans);
        acknowledged.push(...results.map((result) => result.id));
        acknowledgedAt.push(Date.now());
      } catch {
        errors++;
      }
      await sleep(50);
    }
  })();
  return {
    acknowledged,
    acknowledgedAt,
    errors: () => errors,
    stop: async () => {
      running = false;
      await done;
    },
  };
}

/** Publishes a numbered message every 20 ms until stopped; the subscriber notes arrivals. */
async function startPubSub(publisherPgq: Pgq, subscriberPgq: Pgq) {
  const publisher = new PubSub(publisherPgq);
  const subscriber = new PubSub(subscriberPgq);
  const arrivals: number[] = [];
  let reconnects = 0;
  subscriber.on('reconnected', () => reconnects++);
  await subscriber.subscribe('restart.events', () => {
    arrivals.push(Date.now());
  });
  let running = true;
  const done = (async () => {
    for (let n = 0; running; n++) {
      await publisher.publish('restart.events', { n }).catch(() => {});
      await sleep(20);
    }
  })();
  return {
    arrivals,
    reconnects: () => reconnects,
    stop: async () => {
      running = false;
      await done;
      await subscriber.close();
      await publisher.close();
    },
  };
}

it('stop and start PostgreSQL mid-load: 0 acknowledged enqueues lost, everyone resumes on their own', async () => {
  const queue = new Queue<JobPlan>(db.pgq, 'restart');
  await queue.create({ maxAttempts: 100 });
  const workers = await startQueueWorkers(db, 2, {
    queue: 'restart',
    concurrency,
    leaseMs,
    rescueIntervalMs,
    retryBaseMs: 100,
  });
  const producer = startProducer(queue);
  const bus = await startPubSub(db.pgq, db.connect());
  try {
    await sleep(2_000);
    const { active: inFlightAtStop } = await queue.stats();
    const stoppedAt = Date.now();
    await server.stop({ keepData: true });
    await sleep(outageMs);
    await server.restart();
    const upAt = Date.now();

    const firstAfter = (times: number[]) => times.find((at) => at >= upAt);
    await waitUntil(() => firstAfter(producer.acknowledgedAt) !== undefined, {
      timeoutMs: 20_000,
      message: 'the producer never enqueued again',
    });
    await waitUntil(() => firstAfter(bus.arrivals) !== undefined, {
      timeoutMs: 20_000,
      message: 'the subscriber never received a message again',
    });
    // Each worker process resumes: it starts a run after the restart.
    const resumedAt = async () =>
      db.pgq.query<{ worker_id: string; first: number }>(
        `select worker_id, (extract(epoch from min(started_at)) * 1000)::float8 as first
           from ${db.pgq.table('ledger_runs')}
          where queue = 'restart' and started_at >= to_timestamp($1 / 1000.0)
          group by worker_id`,
        [upAt],
      );
    await waitUntil(async () => (await resumedAt()).length === workers.length, {
      timeoutMs: 20_000,
      message: 'a worker process never ran a job again',
    });
    const workerResumeMs = Math.max(...(await resumedAt()).map((row) => row.first - upAt));
    const producerResumeMs = firstAfter(producer.acknowledgedAt)! - upAt;
    const subscriberResumeMs = firstAfter(bus.arrivals)! - upAt;
    await sleep(2_000);
    await producer.stop();
    await bus.stop();
    await waitForEmpty(queue, {
      timeoutMs: 30_000,
      message: 'the queue did not drain after the restart',
    });
    await terminateChildren(workers);

    const result = await check(db.pgq, { queue: 'restart', acknowledged: producer.acknowledged });
    console.log(
      formatCheck('database restart', result, {
        inFlightAtStop,
        producerErrors: producer.errors(),
        stopMs: upAt - stoppedAt,
        producerResumeMs,
        workerResumeMs: Math.round(workerResumeMs),
        subscriberResumeMs,
        subscriberReconnects: bus.reconnects(),
      }),
    );
    expect(result).toMatchObject({
      lost: 0,
      stuck: 0,
      staleCompletionsAccepted: 0,
      reverted: 0,
      overlappingLeases: 0,
      overMaxAttempts: 0,
    });
    expect(result.acknowledged).toBeGreaterThan(200);
    // A run cut off by the stop may have written its effect without its completion: at most
    // one per slot, as no more runs can be in flight at any moment.
    expect(result.duplicated).toBeLessThanOrEqual(workers.length * concurrency);
    // A batch that committed as the server went down may never have been acknowledged.
    expect(result.unexpected).toBeLessThanOrEqual(batchSize * producer.errors());
    expect(bus.reconnects()).toBeGreaterThanOrEqual(1);
    // The listener retries with a backoff capped at 5 s (its reconnectMaxDelayMs default), and
    // workers also poll every 5 s: once the server is up, everyone is back within that.
    for (const resumeMs of [producerResumeMs, workerResumeMs, subscriberResumeMs]) {
      expect(resumeMs).toBeLessThanOrEqual(5_000 + 2_000);
    }
  } finally {
    await producer.stop();
    await bus.stop();
  }
});
