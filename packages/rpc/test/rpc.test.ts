import { type Pgq, PgqError, RemoteError, TimeoutError, ValidationError } from '@pgq/core';
import { Queue, Worker } from '@pgq/queue';
import { createTestDatabase, type TestDatabase } from '@pgq/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { RpcClient, type RpcRequest, RpcServer } from '../src/index.js';
import { doubleMethod } from './fixtures/schemas.js';
import { countReplies, deferred, eventually } from './helpers.js';

let db: TestDatabase;
let pgq: Pgq;
let rpc: RpcClient;
const servers: RpcServer<any, any>[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
  pgq = db.pgq;
  rpc = new RpcClient(pgq);
});

afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.stop({ timeoutMs: 1_000 })));
});

afterAll(async () => {
  await rpc?.close();
  await db?.dispose();
});

async function serve<Request, Response>(
  ...args: ConstructorParameters<typeof RpcServer<Request, Response>>
): Promise<RpcServer<Request, Response>> {
  const server = new RpcServer<Request, Response>(...args);
  servers.push(server);
  await server.start();
  return server;
}

async function stats(queue: string) {
  return new Queue(pgq, queue).stats();
}

async function jobCount(queue: string): Promise<number> {
  const { pending, scheduled, active, completed, dead, cancelled } = await stats(queue);
  return pending + scheduled + active + completed + dead + cancelled;
}

describe('RpcClient and RpcServer', () => {
  it('answers a call with the handler return value, and leaves no reply behind', async () => {
    // Answered requests kept, to count them.
    await serve<{ a: number; b: number }, number>(
      pgq,
      'rpc_add',
      (request) => request.a + request.b,
      { queueSettings: { completedRetentionMs: 600_000 } },
    );
    await expect(rpc.call<number>('rpc_add', { a: 2, b: 3 })).resolves.toBe(5);
    const answers = await Promise.all(
      Array.from({ length: 50 }, (_, n) => rpc.call<number>('rpc_add', { a: n, b: 1_000 })),
    );
    expect(answers).toEqual(Array.from({ length: 50 }, (_, n) => n + 1_000));
    expect(await countReplies(pgq)).toBe(0);
    expect(rpc.pendingCount).toBe(0);
    // Each request ran once; its job completes just after the reply (batched), so may be active.
    const { completed, active, pending, dead } = await stats('rpc_add');
    expect({ done: completed + active, pending, dead }).toEqual({ done: 51, pending: 0, dead: 0 });
  });

  it('validates the request at the call, in the server, and the response on both sides', async () => {
    const method = doubleMethod('rpc_double');
    // Answered requests kept, so the count of jobs only moves when one is enqueued.
    await serve(
      pgq,
      method,
      (request) => {
        if (request.n < 0) return { doubled: 'negative' } as unknown as { doubled: number };
        return { doubled: request.n * 2 + (request.label === 'none' ? 0 : 1) };
      },
      { queueSettings: { completedRetentionMs: 600_000 } },
    );
    await expect(rpc.call(method, { n: 21 })).resolves.toEqual({ doubled: 42, even: true });
    await expect(rpc.call(method, { n: 1, label: 'x' })).resolves.toEqual({
      doubled: 3,
      even: false,
    });

    // Refused at the call: nothing is enqueued.
    const before = await jobCount('rpc_double');
    await expect(rpc.call(method, { n: 'x' } as never)).rejects.toThrow(ValidationError);
    expect(await jobCount('rpc_double')).toBe(before);

    // Sent by a caller without the contract: the server answers PGQ_VALIDATION, no retries.
    const invalid = await rpc
      .call('rpc_double', { n: 'x' }, { maxAttempts: 3 })
      .catch((error: unknown) => error);
    expect(invalid).toBeInstanceOf(RemoteError);
    expect((invalid as RemoteError).remoteCode).toBe('PGQ_VALIDATION');
    expect((invalid as RemoteError).message).toMatch(/request\.n: Expected a number/);
    const dead = await new Queue(pgq, 'rpc_double').list({ state: 'dead' });
    expect(dead).toHaveLength(1);
    expect(dead[0]!.attempts).toBe(1);

    // A handler's response that breaks the contract reaches the caller as a RemoteError.
    const badResponse = await rpc.call(method, { n: -1 }).catch((error: unknown) => error);
    expect(badResponse).toBeInstanceOf(RemoteError);
    expect((badResponse as RemoteError).remoteCode).toBe('PGQ_VALIDATION');
    expect((badResponse as RemoteError).message).toMatch(/Invalid response/);
    expect(await countReplies(pgq)).toBe(0);
  });

  it('validates the reply again at the caller', async () => {
    // A server without the contract (another program) answers something the contract refuses.
    await serve(pgq, 'rpc_loose', () => ({ doubled: 'not a number' }));
    const error = await rpc.call(doubleMethod('rpc_loose'), { n: 1 }).catch((caught) => caught);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).message).toMatch(/Invalid response: doubled/);
  });

  it('carries a handler error message and code to the caller, as the last attempt failed', async () => {
    let runs = 0;
    await serve(pgq, 'rpc_fails', (request: { user: number }) => {
      runs++;
      throw Object.assign(new RangeError(`no such user ${request.user}`), { code: 'E_NO_USER' });
    });
    const error = await rpc.call('rpc_fails', { user: 7 }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(RemoteError);
    expect(PgqError.hasCode(error, 'PGQ_REMOTE')).toBe(true);
    expect((error as RemoteError).message).toBe('no such user 7');
    expect((error as RemoteError).remoteCode).toBe('E_NO_USER');
    expect((error as RemoteError).remoteName).toBe('RangeError');
    expect(runs).toBe(1); // not retried by default
    const [job] = await new Queue(pgq, 'rpc_fails').list({ state: 'dead' });
    expect(job?.lastError?.message).toBe('no such user 7');
    expect(await countReplies(pgq)).toBe(0);
  });

  it('retries with maxAttempts and replies only the last attempt', async () => {
    let runs = 0;
    await serve(
      pgq,
      'rpc_flaky',
      () => {
        runs++;
        if (runs < 3) throw new Error(`attempt ${runs} failed`);
        return 'third time';
      },
      { retry: { baseMs: 10, jitter: false } },
    );
    await expect(rpc.call('rpc_flaky', null, { maxAttempts: 3 })).resolves.toBe('third time');
    expect(runs).toBe(3);
  });

  it('times out within 100 ms of timeoutMs and cancels the request nobody started', async () => {
    await new Queue(pgq, 'rpc_nobody').create();
    const client = new RpcClient(pgq);
    const timeoutMs = 300;
    const lateness = await Promise.all(
      Array.from({ length: 5 }, async () => {
        const started = performance.now();
        const error = await client
          .call('rpc_nobody', { hello: 1 }, { timeoutMs })
          .catch((caught: unknown) => caught);
        const elapsed = performance.now() - started;
        expect(error).toBeInstanceOf(TimeoutError);
        expect((error as TimeoutError).timeoutMs).toBe(timeoutMs);
        return elapsed - timeoutMs;
      }),
    );
    console.log(
      `rpc timeout lateness over ${timeoutMs} ms: max ${Math.max(...lateness).toFixed(1)} ms, min ${Math.min(...lateness).toFixed(1)} ms`,
    );
    for (const late of lateness) {
      expect(late).toBeGreaterThanOrEqual(-1);
      expect(late).toBeLessThan(300);
    }
    await client.close(); // waits for the cleanup after the timeouts
    expect(await stats('rpc_nobody')).toMatchObject({ pending: 0, active: 0, cancelled: 5 });
    const [job] = await new Queue(pgq, 'rpc_nobody').list({ state: 'cancelled' });
    expect(job?.lastError?.name).toBe('TimeoutError');
  });

  it('throws QueueNotFoundError for a queue that was never created', async () => {
    const error = await rpc.call('rpc_never_created', 1).catch((caught: unknown) => caught);
    expect(PgqError.hasCode(error, 'PGQ_QUEUE_NOT_FOUND')).toBe(true);
    expect(rpc.pendingCount).toBe(0);
  });

  it('discards a reply that arrives after the timeout, and deletes its row', async () => {
    const started = deferred();
    const release = deferred();
    const server = await serve(
      pgq,
      'rpc_slow',
      async () => {
        started.resolve();
        await release.promise;
        return 'too late';
      },
      { queueSettings: { completedRetentionMs: 600_000 } },
    );
    const call = rpc.call('rpc_slow', 1, { timeoutMs: 200 });
    await started.promise;
    await expect(call).rejects.toThrow(TimeoutError);
    const completed = new Promise((resolve) => server.worker.once('completed', resolve));
    release.resolve();
    await completed; // the reply was stored and announced before the job completed
    await eventually(async () => (await countReplies(pgq)) === 0);
    expect(await stats('rpc_slow')).toMatchObject({ completed: 1, cancelled: 0 });
  });

  it('does not run a request claimed after its caller gave up', async () => {
    let runs = 0;
    const server = await serve(pgq, 'rpc_expired', () => {
      runs++;
      return 'nobody listens';
    });
    const dead = new Promise<unknown[]>((resolve) =>
      server.worker.once('dead', (...args) => resolve(args)),
    );
    // As if the caller's cancel had lost the race: claimed 300 ms after sending, 50 ms timeout.
    const envelope: RpcRequest = {
      requestId: crypto.randomUUID(),
      replyTo: rpc.channel,
      timeoutMs: 50,
      request: null,
    };
    await new Queue(pgq, 'rpc_expired').enqueue(envelope, { delayMs: 300, maxAttempts: 1 });
    const [, error] = await dead;
    expect(PgqError.hasCode(error, 'PGQ_RPC_EXPIRED')).toBe(true);
    expect(runs).toBe(0);
    expect(await countReplies(pgq)).toBe(0);
  });

  it('lets a plain Worker answer with respond and respondError', async () => {
    const queue = new Queue<RpcRequest<{ n: number }>>(pgq, 'rpc_manual');
    await queue.create();
    const worker = new Worker<RpcRequest<{ n: number }>>(
      pgq,
      queue,
      async (job, ctx) => {
        const { requestId, request } = job.payload;
        if (request.n < 0) {
          await rpc.respondError(
            requestId,
            Object.assign(new Error('negative'), { code: 'E_NEG' }),
          );
          return;
        }
        // In the job's transaction: the reply exists only if the job completes.
        expect(await rpc.respond(requestId, request.n * 10, { tx: ctx.tx })).toBe(true);
        expect(await rpc.respond(requestId, 'second answer', { tx: ctx.tx })).toBe(false);
      },
      { transactional: true },
    );
    await worker.start();
    try {
      await expect(rpc.call<number>('rpc_manual', { n: 4 })).resolves.toBe(40);
      const error = await rpc.call('rpc_manual', { n: -1 }).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(RemoteError);
      expect((error as RemoteError).remoteCode).toBe('E_NEG');
      await expect(rpc.respond('not-a-uuid', 1)).rejects.toThrow(ValidationError);
    } finally {
      await worker.stop();
    }
  });

  it('rejects on abort and on close, cancelling the requests nobody started', async () => {
    await new Queue(pgq, 'rpc_idle').create();
    const client = new RpcClient(pgq);
    const controller = new AbortController();
    const aborted = client.call('rpc_idle', 1, { signal: controller.signal });
    const closed = client.call('rpc_idle', 2).catch((caught: unknown) => caught);
    await eventually(async () => (await stats('rpc_idle')).pending === 2);
    controller.abort(new Error('user went away'));
    await expect(aborted).rejects.toThrow('user went away');
    await client.close();
    const error = await closed;
    expect(PgqError.hasCode(error, 'PGQ_CLOSED')).toBe(true);
    expect(await stats('rpc_idle')).toMatchObject({ pending: 0, cancelled: 2 });
    await expect(client.call('rpc_idle', 3)).rejects.toThrow(/closed/);
  });

  it('sweeps replies nobody read after the retention', async () => {
    const client = new RpcClient(pgq, { replyRetentionMs: 1_000, sweepIntervalMs: 50 });
    await serve(pgq, 'rpc_echo', (request: unknown) => request);
    await expect(client.call('rpc_echo', 'hi')).resolves.toBe('hi'); // starts its sweeper
    await pgq.query(
      `insert into ${pgq.table('rpc_replies')} (request_id, response, created_at)
       values (gen_random_uuid(), '1', now() - interval '1 hour'),
              (gen_random_uuid(), '2', now())`,
    );
    await eventually(async () => (await countReplies(pgq)) === 1);
    await client.close();
    await pgq.query(`delete from ${pgq.table('rpc_replies')}`);
  });

  it('stops gracefully: a running request still gets its reply', async () => {
    const started = deferred();
    const server = await serve(pgq, 'rpc_graceful', async () => {
      started.resolve();
      await new Promise((resolve) => setTimeout(resolve, 100));
      return 'finished';
    });
    const call = rpc.call('rpc_graceful', 1);
    await started.promise;
    await server.stop();
    await expect(call).resolves.toBe('finished');
    expect(server.worker.state).toBe('stopped');
  });

  it('creates its queue with queueSettings (archiving no answered request by default), and leaves an existing queue as it is', async () => {
    const settings = { completedRetentionMs: 600_000 };
    await serve(pgq, 'rpc_created', () => 1, { queueSettings: settings });
    await new Queue(pgq, 'rpc_existing').create({ completedRetentionMs: 60_000 });
    await serve(pgq, 'rpc_existing', () => 1, { queueSettings: settings });
    await serve(pgq, 'rpc_unarchived', (request: unknown) => request);
    const rows = await pgq.query<{ name: string; completed_retention_seconds: number }>(
      `select name, completed_retention_seconds from ${pgq.table('queues')}
        where name in ('rpc_created', 'rpc_existing', 'rpc_unarchived') order by name`,
    );
    expect(rows).toEqual([
      { name: 'rpc_created', completed_retention_seconds: 600 },
      { name: 'rpc_existing', completed_retention_seconds: 60 },
      { name: 'rpc_unarchived', completed_retention_seconds: 0 },
    ]);
    await expect(rpc.call('rpc_unarchived', 'hi')).resolves.toBe('hi');
    await eventually(async () => {
      const live = await pgq.query(
        `select 1 from ${pgq.table('jobs')} where queue = 'rpc_unarchived'`,
      );
      return live.length === 0;
    });
    const archived = await pgq.query(
      `select 1 from ${pgq.table('job_archive')} where queue = 'rpc_unarchived'`,
    );
    expect(archived).toEqual([]);
  });

  it('refuses bad names and options at the edge', async () => {
    await expect(rpc.call('bad name', 1)).rejects.toThrow(/Invalid queue name/);
    await expect(rpc.call('rpc_add', 1, { timeoutMs: 0 })).rejects.toThrow(ValidationError);
    expect(() => new RpcServer(pgq, 'bad name', () => 1)).toThrow(/Invalid queue name/);
    expect(() => new RpcClient(pgq, { timeoutMs: -5 })).toThrow(ValidationError);
  });
});
