// Issue 26: every value pgq stores has a size limit, checked before anything is sent. Before,
// a 100 MB job payload and a 300 MB cache value were stored as they came (only pub/sub had a
// cap), and a 300 MB job failed at the server with a raw SQLSTATE 54000 (jsonb's 255 MB limit)
// after the whole value had crossed the wire. Now each is refused with PayloadTooLargeError
// (`PGQ_PAYLOAD_TOO_LARGE`) and no row changes: job payloads, enqueueMany, schedules, job
// results, RPC requests and replies under `connect({ maxValueBytes })` (default 1 MiB), cache
// values under the Cache's `maxValueBytes` (default the connection's).
import { Cache } from '@pgq/cache';
import { PayloadTooLargeError, type Pgq, PgqError, RemoteError } from '@pgq/core';
import { Queue, Scheduler, Worker } from '@pgq/queue';
import { RpcClient, RpcServer } from '@pgq/rpc';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { schemaSnapshot } from '../src/schema-snapshot.js';
import { useFigures, useTestDatabase } from '../src/suite.js';
import { waitUntil } from '../src/wait.js';

const MiB = 1_048_576;
const db = useTestDatabase();
const figures = useFigures('size limits');
let queue: Queue;
let cache: Cache;

beforeAll(async () => {
  queue = new Queue(db.pgq, 'sizes');
  await queue.create({ maxAttempts: 1 });
  cache = new Cache(db.pgq, { namespace: 'sizes' });
});

afterAll(async () => {
  await cache?.stop();
});

/** Runs `write`, which must be refused with PayloadTooLargeError leaving every table as it was. */
async function refusedAsTooLarge(pgq: Pgq, write: () => Promise<unknown>) {
  const before = await schemaSnapshot(pgq, 'pgq_size_marker');
  const started = performance.now();
  const error = await write().then(
    () => new Error('the write was accepted'),
    (caught: unknown) => caught,
  );
  const ms = Math.round(performance.now() - started);
  expect(error).toBeInstanceOf(PayloadTooLargeError);
  expect(PgqError.hasCode(error, 'PGQ_PAYLOAD_TOO_LARGE')).toBe(true);
  expect(await schemaSnapshot(pgq, 'pgq_size_marker')).toEqual(before);
  return { error: error as PayloadTooLargeError, ms };
}

it('refuses a 100 MB job payload, alone and in enqueueMany, and a 300 MB one, writing nothing', async () => {
  const hundred = { blob: 'x'.repeat(100 * MiB) };
  const alone = await refusedAsTooLarge(db.pgq, () => queue.enqueue(hundred));
  expect(alone.error).toMatchObject({ size: 100 * MiB + 11, limit: MiB, what: 'payload' });
  expect(alone.error.message).toBe(
    `Payload is ${100 * MiB + 11} bytes, over the limit of ${MiB} bytes (raise it with connect({ maxValueBytes })); nothing was written`,
  );
  await refusedAsTooLarge(db.pgq, () =>
    queue.enqueueMany([{ small: 1 }, { payload: hundred, priority: 1 }, { small: 2 }]),
  );
  await refusedAsTooLarge(db.pgq, () => queue.enqueue(hundred, { durable: false }));
  // What failed at the server with SQLSTATE 54000 after crossing the wire.
  const huge = await refusedAsTooLarge(db.pgq, () =>
    queue.enqueue({ blob: 'x'.repeat(300 * MiB) }),
  );
  figures.job300MbRefusedMs = huge.ms;
  const scheduler = new Scheduler(db.pgq);
  await refusedAsTooLarge(db.pgq, () =>
    scheduler.set('huge', { cron: '0 3 * * *', queue: 'sizes', payload: hundred }),
  );
  // Multibyte text counts in UTF-8 bytes: 400,000 'é' are 800,002 bytes of JSON, under 1 MiB,
  // and 600,000 are 1,200,002, over, though fewer UTF-16 units than the limit.
  await queue.enqueue('é'.repeat(400_000));
  await refusedAsTooLarge(db.pgq, () => queue.enqueue('é'.repeat(600_000)));
  expect((await queue.stats()).pending).toBe(1);
  await queue.purge();
});

it('refuses a 300 MB cache value, in set, setMany and getOrSet, writing nothing', async () => {
  const value = 'x'.repeat(300 * MiB);
  const set = await refusedAsTooLarge(db.pgq, () => cache.set('big', value));
  expect(set.error.what).toBe('cache value');
  figures.cache300MbRefusedMs = set.ms;
  await refusedAsTooLarge(db.pgq, () =>
    cache.setMany([
      ['small', 1],
      ['big', value],
    ]),
  );
  await refusedAsTooLarge(db.pgq, () => cache.set('bytes', Buffer.alloc(2 * MiB)));
  // A loader's value too large to cache: the caller gets the error, nothing is cached.
  let loads = 0;
  await refusedAsTooLarge(db.pgq, () =>
    cache.getOrSet('loaded', 60, () => {
      loads++;
      return 'x'.repeat(2 * MiB);
    }),
  );
  expect(loads).toBe(1);
  expect(await cache.has('loaded')).toBe(false);
});

it('takes its limits from connect({ maxValueBytes }) and the Cache option', async () => {
  const roomy = db.connect({ maxValueBytes: 4 * MiB });
  const strict = new Cache(db.pgq, { namespace: 'strict', maxValueBytes: 100 });
  const roomyCache = new Cache(roomy, { namespace: 'roomy' });
  const threeMiB = { blob: 'y'.repeat(3 * MiB) };
  const { id } = await new Queue(roomy, 'sizes').enqueue(threeMiB);
  expect((await queue.get(id))?.payload).toEqual(threeMiB);
  await queue.purge();
  await roomyCache.set('three', threeMiB);
  expect(await roomyCache.get('three')).toEqual(threeMiB);
  await strict.set('fits', 'z'.repeat(98));
  const refused = await refusedAsTooLarge(db.pgq, () => strict.set('over', 'z'.repeat(99)));
  expect(refused.error).toMatchObject({ size: 101, limit: 100 });
  expect(refused.error.message).toContain('new Cache(pgq, { maxValueBytes })');
  for (const maxValueBytes of [0, 268_435_456]) {
    expect(() => new Cache(db.pgq, { maxValueBytes })).toThrow(/must be a whole number of bytes/);
  }
});

it("fails a job whose result is over the limit, with the error as the job's last error", async () => {
  const results = new Queue(db.pgq, 'big_results');
  await results.create({ maxAttempts: 1 });
  const { id } = await results.enqueue({ want: 'big' });
  const dead: string[] = [];
  const worker = new Worker(db.pgq, results, async () => ({ blob: 'r'.repeat(2 * MiB) }));
  worker.on('dead', (job) => dead.push(job.id));
  await worker.start();
  try {
    await waitUntil(() => dead.includes(id), { timeoutMs: 20_000 });
  } finally {
    await worker.stop();
  }
  const job = await results.get(id);
  expect(job).toMatchObject({ state: 'dead', result: null });
  expect(job?.lastError).toMatchObject({
    name: 'PayloadTooLargeError',
    code: 'PGQ_PAYLOAD_TOO_LARGE',
  });
  // Completed by hand, the same result is refused to the caller, and the job stays active.
  const { id: handId } = await results.enqueue({ want: 'big' });
  const claimed = await results.dequeue();
  await refusedAsTooLarge(db.pgq, () =>
    results.complete(claimed!, { result: { blob: 'r'.repeat(2 * MiB) } }),
  );
  expect((await results.get(handId))?.state).toBe('active');
  await results.complete(claimed!, { result: { ok: true } });
});

it('RPC: a request over the limit fails its own call only; a reply over it reaches the caller as an error', async () => {
  const server = new RpcServer<{ size: number }, string>(db.pgq, 'rpc_sizes', (request) =>
    's'.repeat(request.size),
  );
  await server.start();
  const client = new RpcClient(db.pgq, { timeoutMs: 20_000 });
  try {
    // Sent together, so they share one enqueue batch: only the big one fails.
    const [big, small] = await Promise.allSettled([
      client.call('rpc_sizes', { size: 1, padding: 'p'.repeat(MiB) }),
      client.call('rpc_sizes', { size: 3 }),
    ]);
    expect(big.status).toBe('rejected');
    expect((big as PromiseRejectedResult).reason).toBeInstanceOf(PayloadTooLargeError);
    expect(small).toEqual({ status: 'fulfilled', value: 'sss' });
    const reply = await client.call('rpc_sizes', { size: 2 * MiB }).catch((error) => error);
    expect(reply).toBeInstanceOf(RemoteError);
    expect(reply).toMatchObject({ remoteCode: 'PGQ_PAYLOAD_TOO_LARGE' });
  } finally {
    await client.close();
    await server.stop();
  }
});
