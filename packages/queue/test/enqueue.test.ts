import {
  connect,
  InvalidNameError,
  NotInstalledError,
  QueueNotFoundError,
  ValidationError,
} from '@pgq/core';
import { createTestDatabase, type TestDatabase } from '@pgq/testing';
import { Kysely, PostgresDialect, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Queue } from '../src/index.js';
import { countRows, emailContract } from './helpers.js';

let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase();
});

afterAll(async () => {
  await db.dispose();
});

async function freshQueue<Payload = unknown>(name: string): Promise<Queue<Payload>> {
  const queue = new Queue<Payload>(db.pgq, name);
  await queue.create();
  return queue;
}

describe('create and delete', () => {
  it('is idempotent, keeps settings, and works from SQL too', async () => {
    const queue = new Queue(db.pgq, 'settings');
    expect(await queue.create({ maxAttempts: 5, leaseMs: 1_000 })).toBe(true);
    expect(await queue.create()).toBe(false);
    expect(await queue.create({ deadRetentionMs: 60_000 })).toBe(false);
    const row = await db.pgq.db
      .selectFrom('queues')
      .selectAll()
      .where('name', '=', 'settings')
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({ max_attempts: 5, lease_ms: 1_000, dead_retention_seconds: 60 });
    const { id } = await queue.enqueue({ hello: 'world' });
    expect((await queue.get(id))?.maxAttempts).toBe(5);

    const [created] = await db.pgq.query<{ created: boolean }>(
      `select ${db.pgq.quotedSchema}.create_queue('from_sql') as created`,
    );
    expect(created?.created).toBe(true);
    await expect(new Queue(db.pgq, 'from_sql').enqueue(1)).resolves.toMatchObject({
      deduplicated: false,
    });
    await expect(queue.create({ maxAttempts: 0 })).rejects.toThrow(ValidationError);
  });

  it('delete drops the queue with its jobs; enqueue then fails with QueueNotFoundError', async () => {
    const queue = await freshQueue('doomed');
    await queue.enqueue({ n: 1 });
    expect(await queue.delete()).toBe(true);
    expect(await queue.delete()).toBe(false);
    await expect(queue.enqueue({ n: 2 })).rejects.toThrow(QueueNotFoundError);
  });
});

describe('enqueue', () => {
  it('returns bigint ids as strings and stores every option', async () => {
    const queue = await freshQueue<{ n: number }>('options');
    const runAt = new Date(Date.now() + 60_000);
    const { id, deduplicated } = await queue.enqueue(
      { n: 1 },
      { runAt, priority: 7, maxAttempts: 9, uniqueKey: 'k1' },
    );
    expect(id).toMatch(/^\d+$/);
    expect(deduplicated).toBe(false);
    const job = await queue.get(id);
    expect(job).toMatchObject({
      state: 'pending',
      payload: { n: 1 },
      priority: 7,
      maxAttempts: 9,
      uniqueKey: 'k1',
      attempts: 0,
    });
    expect(job?.runAt?.getTime()).toBe(runAt.getTime());
    const delayed = await queue.enqueue({ n: 2 }, { delayMs: 30_000 });
    const [{ delay } = { delay: 0 }] = await db.pgq.query<{ delay: number }>(
      `select extract(epoch from run_at - created_at) as delay from ${db.pgq.table('jobs')} where id = $1`,
      [delayed.id],
    );
    expect(Number(delay)).toBeCloseTo(30, 1);
  });

  it('refuses bad names, payloads and options with nothing written', async () => {
    expect(() => new Queue(db.pgq, 'bad name')).toThrow(InvalidNameError);
    expect(() => new Queue(db.pgq, '')).toThrow(InvalidNameError);
    expect(() => new Queue(db.pgq, 'x'.repeat(64))).toThrow(InvalidNameError);
    const queue = await freshQueue<unknown>('refusals');
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    for (const payload of [undefined, () => 1, { id: 10n }, cyclic, { n: Number.NaN }]) {
      await expect(queue.enqueue(payload)).rejects.toThrow(ValidationError);
    }
    await expect(queue.enqueue(1, { priority: 1.5 })).rejects.toThrow(/priority/);
    await expect(queue.enqueue(1, { maxAttempts: 0 })).rejects.toThrow(/maxAttempts/);
    await expect(queue.enqueue(1, { delayMs: -1 })).rejects.toThrow(/delayMs/);
    await expect(queue.enqueue(1, { runAt: new Date(''), delayMs: 1 })).rejects.toThrow(
      ValidationError,
    );
    // Times a job may hold: 1970 to 9999 (an infinite one stopped the queue, issue 26).
    await expect(queue.enqueue(1, { runAt: new Date(-1) })).rejects.toThrow(/runAt/);
    await expect(queue.enqueue(1, { runAt: new Date(Date.UTC(10_000, 0)) })).rejects.toThrow(
      /runAt/,
    );
    await expect(queue.enqueue(1, { delayMs: 1e15 })).rejects.toThrow(/delayMs/);
    await expect(queue.enqueueMany([1, 2, { big: 1n }])).rejects.toThrow(/payload\.big/);
    expect(await countRows(db.pgq, 'jobs', 'refusals')).toBe(0);
  });

  it('throws QueueNotFoundError for a queue never created, and never creates it', async () => {
    const ghost = new Queue(db.pgq, 'ghost');
    await expect(ghost.enqueue({ n: 1 })).rejects.toThrow(QueueNotFoundError);
    await expect(ghost.enqueueMany([1, 2])).rejects.toMatchObject({
      code: 'PGQ_QUEUE_NOT_FOUND',
      queue: 'ghost',
    });
    const queues = await db.pgq.db.selectFrom('queues').select('name').execute();
    expect(queues.map((queue) => queue.name)).not.toContain('ghost');
  });

  it('throws NotInstalledError on a schema that was never migrated', async () => {
    const bare = connect({ connectionString: db.url, schema: 'pgq_never_installed' });
    try {
      await expect(new Queue(bare, 'emails').enqueue({ n: 1 })).rejects.toThrow(NotInstalledError);
      await expect(new Queue(bare, 'emails').dequeue()).rejects.toThrow(NotInstalledError);
      await expect(new Queue(bare, 'emails').create()).rejects.toThrow(NotInstalledError);
    } finally {
      await bare.close();
    }
  });
});

describe('uniqueKey', () => {
  it('keeps one live job per key and frees the key once the job is done', async () => {
    const queue = await freshQueue<{ n: number }>('unique');
    const first = await queue.enqueue({ n: 1 }, { uniqueKey: 'report' });
    const second = await queue.enqueue({ n: 2 }, { uniqueKey: 'report' });
    expect(second).toEqual({ id: first.id, deduplicated: true });
    const job = await queue.dequeue();
    expect(await queue.enqueue({ n: 3 }, { uniqueKey: 'report' })).toEqual({
      id: first.id,
      deduplicated: true,
    });
    await queue.complete(job!);
    const third = await queue.enqueue({ n: 4 }, { uniqueKey: 'report' });
    expect(third.deduplicated).toBe(false);
    expect(third.id).not.toBe(first.id);
  });

  it('20 concurrent enqueuers of one key, on separate connections, make exactly one job', async () => {
    const queue = await freshQueue<{ n: number }>('unique_race');
    const producers = Array.from(
      { length: 4 },
      () => new Queue(db.connect({ max: 5 }), queue.name),
    );
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, index) =>
        producers[index % producers.length]!.enqueue({ n: index }, { uniqueKey: 'once' }),
      ),
    );
    expect(new Set(results.map((result) => result.id)).size).toBe(1);
    expect(results.filter((result) => !result.deduplicated)).toHaveLength(1);
    expect(await countRows(db.pgq, 'jobs', queue.name)).toBe(1);
  });
});

describe('concurrent enqueues share statements', () => {
  it('200 concurrent enqueues: every job written once, in far fewer INSERTs', async () => {
    const queue = await freshQueue<{ n: number }>('coalesced');
    const execute = vi.spyOn(db.pgq, 'execute');
    try {
      const results = await Promise.all(
        Array.from({ length: 200 }, (_, n) => queue.enqueue({ n })),
      );
      const inserts = execute.mock.calls.filter(([text]) => text.includes('insert into'));
      expect(new Set(results.map((result) => result.id)).size).toBe(200);
      expect(inserts.length).toBeGreaterThan(0);
      expect(inserts.length).toBeLessThan(20);
      // Up to 64 rows the insert stays a prepared statement (planning cost more than it saved).
      for (const [, values, options] of inserts) {
        const rows = JSON.parse(JSON.stringify(values))[1].length;
        expect(options?.prepare).toBe(rows <= 64);
      }
    } finally {
      execute.mockRestore();
    }
    const jobs = await queue.dequeueMany(200);
    expect(jobs.map((job) => job.payload.n).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 200 }, (_, n) => n),
    );
  });

  it('a bad payload fails only its own caller; a shared key makes one job', async () => {
    const queue = await freshQueue<unknown>('coalesced_mixed');
    const outcomes = await Promise.allSettled([
      queue.enqueue({ n: 1 }),
      queue.enqueue({ n: 2n }),
      queue.enqueue({ n: 3 }, { uniqueKey: 'k' }),
      queue.enqueue({ n: 4 }, { uniqueKey: 'k' }),
      queue.enqueue({ n: 5 }, { priority: 1.5 }),
    ]);
    expect(outcomes.map((outcome) => outcome.status)).toEqual([
      'fulfilled',
      'rejected',
      'fulfilled',
      'fulfilled',
      'rejected',
    ]);
    expect((outcomes[1] as PromiseRejectedResult).reason).toBeInstanceOf(ValidationError);
    expect((outcomes[4] as PromiseRejectedResult).reason).toBeInstanceOf(ValidationError);
    const [third, fourth] = [outcomes[2], outcomes[3]] as Array<
      PromiseFulfilledResult<{ id: string; deduplicated: boolean }>
    >;
    expect(fourth!.value).toEqual({ id: third!.value.id, deduplicated: true });
    expect(await countRows(db.pgq, 'jobs', queue.name)).toBe(2);
  });

  it('durable: false enqueues as usual, leaves an app transaction as it was, and is checked', async () => {
    const queue = await freshQueue<{ n: number }>('not_durable');
    const { id } = await queue.enqueue({ n: 1 }, { durable: false });
    expect(await queue.get(id)).toMatchObject({ state: 'pending', payload: { n: 1 } });
    const client = await db.pgq.pool.connect();
    try {
      await client.query('begin');
      await client.query("set local synchronous_commit = 'remote_write'");
      await queue.enqueue({ n: 2 }, { durable: false, tx: client });
      const { rows } = await client.query('show synchronous_commit');
      await client.query('commit');
      // The app's own setting for its transaction stands.
      expect(rows[0].synchronous_commit).toBe('remote_write');
    } finally {
      client.release();
    }
    await expect(queue.enqueue({ n: 3 }, { durable: 'no' as unknown as boolean })).rejects.toThrow(
      ValidationError,
    );
    expect(await countRows(db.pgq, 'jobs', queue.name)).toBe(2);
  });

  it('takes a payload shaped like a job spec literally', async () => {
    const queue = await freshQueue<unknown>('literal_payload');
    const { id } = await queue.enqueue({ payload: 'inner', priority: 5 });
    expect(await queue.get(id)).toMatchObject({
      payload: { payload: 'inner', priority: 5 },
      priority: 0,
    });
  });
});

describe('enqueueMany', () => {
  it('inserts any number of jobs in one statement, results in input order', async () => {
    const queue = await freshQueue<{ n: number }>('many');
    const payloads = Array.from({ length: 5_000 }, (_, n) => ({ n }));
    const results = await queue.enqueueMany(payloads, { priority: 2 });
    expect(results).toHaveLength(5_000);
    const ids = results.map((result) => BigInt(result.id));
    expect(ids.every((id, index) => index === 0 || id > ids[index - 1]!)).toBe(true);
    const rows = await db.pgq.query<{ id: string; n: number; priority: number }>(
      `select id, (payload->>'n')::int as n, priority from ${db.pgq.table('jobs')}
        where queue = $1 order by id`,
      [queue.name],
    );
    expect(rows.map((row) => row.n)).toEqual(payloads.map((payload) => payload.n));
    expect(rows.map((row) => row.id)).toEqual(results.map((result) => result.id));
    expect(new Set(rows.map((row) => row.priority))).toEqual(new Set([2]));
  });

  it('mixes payloads and specs, and dedupes keys within the batch and against live jobs', async () => {
    const queue = await freshQueue<{ n: number }>('many_specs');
    const existing = await queue.enqueue({ n: 0 }, { uniqueKey: 'a' });
    const results = await queue.enqueueMany([
      { n: 1 },
      { payload: { n: 2 }, priority: 9, uniqueKey: 'b' },
      { payload: { n: 3 }, uniqueKey: 'a' },
      { payload: { n: 4 }, uniqueKey: 'b' },
      { payload: { n: 5 }, delayMs: 60_000 },
    ]);
    expect(results[2]).toEqual({ id: existing.id, deduplicated: true });
    expect(results[3]).toEqual({ id: results[1]!.id, deduplicated: true });
    expect(results.filter((result) => !result.deduplicated)).toHaveLength(3);
    expect((await queue.get(results[1]!.id))?.priority).toBe(9);
    expect(await queue.stats()).toMatchObject({ pending: 3, scheduled: 1 });
  });
});

describe('transactions', () => {
  it('a Kysely transaction that rolls back leaves no job; one that commits leaves it', async () => {
    const queue = await freshQueue<{ n: number }>('tx_kysely');
    const kysely = new Kysely<any>({ dialect: new PostgresDialect({ pool: db.pgq.pool }) });
    await expect(
      kysely.transaction().execute(async (tx) => {
        await queue.enqueue({ n: 1 }, { tx });
        await queue.enqueueMany([{ n: 2 }, { n: 3 }], { tx });
        expect(await sql`select 1`.execute(tx)).toBeTruthy();
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    expect(await countRows(db.pgq, 'jobs', queue.name)).toBe(0);
    await kysely.transaction().execute(async (tx) => {
      await queue.enqueue({ n: 4 }, { tx });
    });
    expect(await countRows(db.pgq, 'jobs', queue.name)).toBe(1);
  });

  it('a pg client inside BEGIN that rolls back leaves no job', async () => {
    const queue = await freshQueue<{ n: number }>('tx_client');
    const client = await db.pgq.pool.connect();
    try {
      await client.query('begin');
      const { id } = await queue.enqueue({ n: 1 }, { tx: client });
      expect(await queue.get(id)).toBeNull(); // not visible outside the transaction
      await client.query('rollback');
    } finally {
      client.release();
    }
    expect(await countRows(db.pgq, 'jobs', queue.name)).toBe(0);
  });
});

describe('contracts', () => {
  it('validates payloads at enqueue and applies the contract defaults', async () => {
    const contract = { ...emailContract('contract_emails'), defaults: { maxAttempts: 7 } };
    const queue = new Queue(db.pgq, contract);
    await queue.create();
    await expect(queue.enqueue({ to: 'not-an-email' })).rejects.toThrow(/to: Invalid email/);
    await expect(queue.enqueueMany([{ to: 'a@example.com' }, { to: 'nope' }])).rejects.toThrow(
      ValidationError,
    );
    expect(await countRows(db.pgq, 'jobs', queue.name)).toBe(0);
    const { id } = await queue.enqueue({ to: 'ada@example.com' });
    expect(await queue.get(id)).toMatchObject({
      maxAttempts: 7,
      payload: { to: 'ada@example.com' },
    });
    const job = await queue.dequeue();
    expect(job?.payload).toEqual({ to: 'ada@example.com', count: 1 });
  });
});

describe('announcing new jobs', () => {
  it('wakes workers after the commit: enqueues on their own (durable or not), in a committed transaction, raw inserts; never a rollback', async () => {
    const queue = await freshQueue<{ n: number }>('announced');
    const heard: string[] = [];
    const unlisten = await db.pgq.listener.listen(db.pgq.channel('jobs'), async (payload) => {
      if (payload !== 'announced') return;
      // Sent after the commit, so the newest job is already visible to anyone.
      const [row] = await db.pgq.query<{ n: string }>(
        `select count(*) as n from ${db.pgq.table('jobs')} where queue = 'announced'`,
      );
      heard.push(row!.n);
    });
    try {
      await queue.enqueue({ n: 1 });
      await expect.poll(() => heard).toEqual(['1']);

      const client = await db.pgq.pool.connect();
      try {
        await client.query('begin');
        await queue.enqueue({ n: 2 }, { tx: client });
        await client.query('rollback');
        await client.query('begin');
        await queue.enqueue({ n: 3 }, { tx: client });
        await client.query('commit');
      } finally {
        client.release();
      }
      await expect.poll(() => heard).toEqual(['1', '2']);

      await db.pgq.query(
        `insert into ${db.pgq.table('jobs')} (queue, payload, max_attempts) values ('announced', '{}', 1)`,
      );
      await expect.poll(() => heard).toEqual(['1', '2', '3']);

      // No flush to wait for: its statement's own trigger notifies.
      await queue.enqueue({ n: 4 }, { durable: false });
      await expect.poll(() => heard).toEqual(['1', '2', '3', '4']);
    } finally {
      await unlisten();
    }
  });
});
