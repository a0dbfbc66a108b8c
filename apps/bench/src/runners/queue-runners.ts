import type { QueueDriver } from '../adapters/adapter.js';
import { type BenchPayload, makePayloads } from '../payload.js';
import { latencySummary } from '../statistics.js';
import { rate, runLanes, sleep, waitUntil } from './lanes.js';
import type { RunnerContext, RunnerResult } from './runner.js';

const warmUpJobs = 20;

/**
 * W1: `count` jobs through the batch API in chunks, one caller.
 *
 * @example
 * ```ts
 * const { metrics } = await runBatchEnqueue(queue, { size, beforeTimedPhase });
 * metrics.jobsPerSecond;
 * ```
 */
export async function runBatchEnqueue(
  queue: QueueDriver,
  { size, beforeTimedPhase }: RunnerContext,
): Promise<RunnerResult> {
  const chunks: BenchPayload[][] = [];
  for (let start = 0; start < size.count; start += size.chunkSize) {
    chunks.push(makePayloads(Math.min(size.chunkSize, size.count - start), start));
  }
  // Warms the pool and the statements; these jobs are never worked.
  await queue.enqueueMany(makePayloads(warmUpJobs, size.count));
  await beforeTimedPhase();
  const started = performance.now();
  for (const chunk of chunks) await queue.enqueueMany(chunk);
  const elapsedMs = performance.now() - started;
  return { metrics: { jobsPerSecond: rate(size.count, elapsedMs) }, notes: [] };
}

/**
 * W2: `count` jobs, one enqueue call each, from `concurrency` concurrent callers.
 *
 * @example
 * ```ts
 * const { metrics } = await runSingleEnqueue(queue, { size, beforeTimedPhase });
 * ```
 */
export async function runSingleEnqueue(
  queue: QueueDriver,
  { size, beforeTimedPhase }: RunnerContext,
): Promise<RunnerResult> {
  const payloads = makePayloads(size.count);
  const warmUp = makePayloads(warmUpJobs * 5, size.count);
  await runLanes(warmUp.length, size.concurrency, (index) => queue.enqueue(warmUp[index]!));
  await beforeTimedPhase();
  const { elapsedMs, latenciesMs } = await runLanes(size.count, size.concurrency, (index) =>
    queue.enqueue(payloads[index]!),
  );
  const { p50, p99 } = latencySummary(latenciesMs);
  return {
    metrics: { jobsPerSecond: rate(size.count, elapsedMs), p50Ms: p50, p99Ms: p99 },
    notes: [],
  };
}

/**
 * W3: `count` pre-loaded jobs (loaded untimed, in chunks), then workers start with the clock
 * and a no-op handler. The clock stops when the store shows every completion, not when the
 * last handler returns: a completion still in a worker's memory is not done.
 *
 * @example
 * ```ts
 * const { metrics } = await runDrain(queue, { size, beforeTimedPhase });
 * metrics.jobsPerSecond; // durable; metrics.handledPerSecond: until the last handler ran
 * ```
 */
export async function runDrain(
  queue: QueueDriver,
  { size, beforeTimedPhase }: RunnerContext,
): Promise<RunnerResult> {
  for (let start = 0; start < size.count; start += size.chunkSize) {
    await queue.enqueueMany(makePayloads(Math.min(size.chunkSize, size.count - start), start));
  }
  await beforeTimedPhase();
  let handled = 0;
  let handledAt = 0;
  let allHandled!: () => void;
  const handledAll = new Promise<void>((resolve) => {
    allHandled = resolve;
  });
  const started = performance.now();
  await queue.startWorkers(() => {
    handled += 1;
    if (handled === size.count) {
      handledAt = performance.now();
      allHandled();
    }
  });
  await handledAll;
  await waitUntil(
    async () => (await queue.finishedCount()) >= size.count,
    5,
    60_000,
    'every completion to reach the store',
  );
  const elapsedMs = performance.now() - started;
  return {
    metrics: {
      jobsPerSecond: rate(size.count, elapsedMs),
      handledPerSecond: rate(size.count, handledAt - started),
    },
    notes: handled > size.count ? [`${handled - size.count} jobs ran twice`] : [],
  };
}

/**
 * W4: idle workers; `count` jobs sent one every `intervalMs` on a fixed schedule (a slow
 * enqueue does not delay the next send). Latency: enqueue-call start to handler start, both
 * read from `performance.now()` in this one process.
 *
 * @example
 * ```ts
 * const { metrics } = await runPickupLatency(queue, { size, beforeTimedPhase });
 * metrics.p99Ms;
 * ```
 */
export async function runPickupLatency(
  queue: QueueDriver,
  { size, beforeTimedPhase }: RunnerContext,
): Promise<RunnerResult> {
  const sentAt = new Array<number>(size.count).fill(0);
  const startedAt = new Array<number | undefined>(size.count).fill(undefined);
  let received = 0;
  let warmUpReceived = 0;
  await queue.startWorkers((payload) => {
    const now = performance.now();
    if (payload.index >= size.count) {
      warmUpReceived += 1;
    } else if (startedAt[payload.index] === undefined) {
      startedAt[payload.index] = now;
      received += 1;
    }
  });
  for (const payload of makePayloads(warmUpJobs, size.count)) {
    await queue.enqueue(payload);
    await sleep(size.intervalMs);
  }
  await waitUntil(() => warmUpReceived >= warmUpJobs, 10, 30_000, 'the warm-up jobs');
  await beforeTimedPhase();
  // Lets every worker go back to waiting (the checkpoint may have woken them).
  await sleep(300);

  const payloads = makePayloads(size.count);
  const failures: unknown[] = [];
  const scheduleStart = performance.now();
  for (let index = 0; index < size.count; index++) {
    const delay = scheduleStart + index * size.intervalMs - performance.now();
    if (delay > 0) await sleep(delay);
    sentAt[index] = performance.now();
    queue.enqueue(payloads[index]!).catch((error: unknown) => failures.push(error));
  }
  await waitUntil(
    () => received >= size.count || failures.length > 0,
    5,
    60_000,
    'every job to be picked up',
  );
  if (failures.length > 0) throw failures[0];
  const latencies = sentAt.map((sent, index) => startedAt[index]! - sent);
  const { p50, p95, p99 } = latencySummary(latencies);
  return { metrics: { p50Ms: p50, p95Ms: p95, p99Ms: p99 }, notes: [] };
}
