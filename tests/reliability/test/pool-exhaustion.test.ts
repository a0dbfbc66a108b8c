// Issue 12, test 10: a worker of concurrency 20 on a pool of 2 connections. Either pgq refuses
// the configuration at start with a clear PgqError, or 2,000 jobs finish with no deadlock.
// Transactional workers hold a pool connection for each running job (the handler's `ctx.tx`),
// which is where a small pool can run dry.
import { connect, type Pgq, PgqError } from '@pgq/core';
import { type JobHandler, Queue, Worker } from '@pgq/queue';
import { describe, expect, it } from 'vitest';
import {
  check,
  formatCheck,
  recordCompletions,
  recordEffectOnly,
  recorded,
  recordStart,
} from '../src/checker.js';
import { useTestDatabase } from '../src/suite.js';
import { waitUntil } from '../src/wait.js';

const jobs = 2_000;
const concurrency = 20;
const poolMax = 2;
// No job finishing for this long, with jobs left, is a deadlock: one takes ~2 ms here.
const stallMs = 10_000;

const db = useTestDatabase({ ledger: true });

/** What a handler is made with: its pool, and a promise that rejects once the run stalled. */
type HandlerFactory = (pgq: Pgq, stalled: Promise<never>) => JobHandler<{ n: number }>;

interface Drained {
  refused?: PgqError;
  stalled: boolean;
  completed: number;
  errors: Error[];
  seconds: number;
}

/**
 * Runs `jobs` jobs through a worker of `concurrency` on a pool of `poolMax`. Resolves with
 * `refused` when `start()` rejects the configuration, or `stalled` when no job finished for
 * `stallMs`: handlers are then released (their `stalled` promise rejects), so that the
 * worker and the pool can close.
 */
async function drain(
  name: string,
  transactional: boolean,
  handler: HandlerFactory,
): Promise<Drained & { acknowledged: string[] }> {
  const pgq = connect({ connectionString: db.url, schema: db.schema, max: poolMax });
  let giveUp: (error: Error) => void = () => {};
  const stalledSignal = new Promise<never>((_, reject) => {
    giveUp = reject;
  });
  stalledSignal.catch(() => {});
  const queue = new Queue<{ n: number }>(pgq, name);
  await queue.create();
  const acknowledged = (
    await queue.enqueueMany(Array.from({ length: jobs }, (_, n) => ({ n })))
  ).map((job) => job.id);
  const worker = new Worker(pgq, queue, handler(pgq, stalledSignal), {
    concurrency,
    transactional,
  });
  const errors: Error[] = [];
  worker.on('error', (error) => errors.push(error));
  let completed = 0;
  let lastProgress = performance.now();
  worker.on('completed', () => {
    completed++;
    lastProgress = performance.now();
  });
  const flushed = recordCompletions(pgq, worker);
  const started = performance.now();
  let stalled = false;
  try {
    await worker.start();
    await waitUntil(
      () => {
        stalled = performance.now() - lastProgress > stallMs;
        return stalled || completed >= jobs;
      },
      { timeoutMs: 120_000, intervalMs: 100 },
    );
    if (stalled) giveUp(new Error('the test gave up on a stalled run'));
    await worker.stop({ timeoutMs: 5_000 });
    await flushed();
  } catch (error) {
    if (!PgqError.isInstance(error)) throw error;
    return { refused: error, stalled, completed, errors, seconds: 0, acknowledged };
  } finally {
    await pgq.close();
  }
  const seconds = (performance.now() - started) / 1000;
  return { stalled, completed, errors, seconds, acknowledged };
}

/** Asserts what the issue allows: refused at start with a clear error, or every job done. */
async function expectRefusedOrDone(name: string, outcome: Drained & { acknowledged: string[] }) {
  const figures = {
    refused: outcome.refused?.code ?? 'no',
    stalled: String(outcome.stalled),
    poolMax,
    concurrency,
    errors: outcome.errors.length,
    seconds: outcome.seconds.toFixed(1),
  };
  if (outcome.refused) {
    console.log(`[reliability] ${name}: ${JSON.stringify(figures)}`);
    expect(outcome.refused.message).toMatch(/pool/);
    return;
  }
  const result = await check(db.pgq, { queue: name, acknowledged: outcome.acknowledged });
  console.log(formatCheck(name, result, { ...figures, completedEvents: outcome.completed }));
  expect(outcome.stalled).toBe(false);
  expect(result).toMatchObject({ lost: 0, duplicated: 0, unexpected: 0, stuck: 0 });
  expect(result.completed).toBe(jobs);
  expect(outcome.errors).toEqual([]);
}

describe(`pool max ${poolMax}, worker concurrency ${concurrency}`, () => {
  it('plain worker, handler on the pool too: 2,000 jobs finish, none lost', async () => {
    const outcome = await drain('pool_plain', false, (pgq) => recorded(pgq, async () => 'done'));
    expect(outcome.refused).toBeUndefined();
    await expectRefusedOrDone('pool_plain', outcome);
  });

  it('transactional worker, handler writes only in ctx.tx: refused, or 2,000 jobs finish', async () => {
    const outcome = await drain('pool_tx', true, (pgq) => async (job, ctx) => {
      await recordEffectOnly(pgq, job, ctx);
      return 'done';
    });
    await expectRefusedOrDone('pool_tx', outcome);
  });

  // The handler also writes outside its transaction, as one logging to a table does: it
  // needs a second connection while its ctx.tx holds one. Two jobs take both connections and
  // wait for a third; pg's pool waits forever by default.
  it('transactional worker, handler also on the pool: refused, or 2,000 jobs finish', async () => {
    const outcome = await drain('pool_tx_pool', true, (pgq, stalled) => async (job, ctx) => {
      await Promise.race([recordStart(pgq, job, ctx), stalled]);
      await recordEffectOnly(pgq, job, ctx);
      return 'done';
    });
    await expectRefusedOrDone('pool_tx_pool', outcome);
  });
});
