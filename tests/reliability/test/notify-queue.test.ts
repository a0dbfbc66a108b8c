// Issue 26: a login with no pgq grants at all LISTENs and then holds a transaction open. Its
// session reads no notification until that transaction ends, so PostgreSQL cannot trim the
// server's NOTIFY queue past it; the same login can then fill the queue itself with pg_notify.
// What that does, found out here on a server whose queue is small enough to fill
// (max_notify_queue_pages = 64, 512 kB; PostgreSQL 17's setting, 8 GB by default):
//
// - health() reports the queue's usage rising, and warns past half full;
// - at 100 %, every transaction that sends a NOTIFY fails at commit (SQLSTATE 54000), so an
//   enqueue with `durable: false` or in the app's transaction, a pub/sub publish and an RPC
//   call fail and write nothing; a durable enqueue still commits (it announces its jobs after
//   the commit, and that announcement is what fails), and workers find its job by polling;
// - once the transaction ends, the queue empties at once and everything works again.
import { randomBytes } from 'node:crypto';
import { health, NotifyQueueFullError, quoteIdentifier, SqlState } from '@pgq/core';
import { quoteLiteral } from '@pgq/core/internal';
import { PubSub } from '@pgq/pubsub';
import { Queue, Worker } from '@pgq/queue';
import { RpcClient, RpcServer } from '@pgq/rpc';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { schemaSnapshot } from '../src/schema-snapshot.js';
import { useEmbeddedServer, useFigures, useTestDatabase } from '../src/suite.js';
import { waitUntil } from '../src/wait.js';

const server = useEmbeddedServer({ durable: false, settings: { max_notify_queue_pages: 64 } });
const db = useTestDatabase({ server });
const figures = useFigures('notify queue held');
const login = `pgq_listener_${randomBytes(4).toString('hex')}`;
let holder: pg.Client;
let filler: pg.Client;

beforeAll(async () => {
  const password = randomBytes(12).toString('hex');
  await db.pgq.pool.query(
    `create role ${quoteIdentifier(login)} login password ${quoteLiteral(password)}`,
  );
  const url = new URL(db.url);
  url.username = login;
  url.password = password;
  holder = new pg.Client({ connectionString: url.toString() });
  filler = new pg.Client({ connectionString: url.toString() });
  await Promise.all([holder.connect(), filler.connect()]);
});

afterAll(async () => {
  await holder?.end();
  await filler?.end();
  await db.pgq.pool.query(`drop role if exists ${quoteIdentifier(login)}`);
});

const usage = async () => (await health(db.pgq)).notifyQueueUsage;
const percent = (fraction: number) => `${(fraction * 100).toFixed(1)}%`;

it('a plain login holding LISTEN in a transaction fills the queue; notifying commits fail; health sees it', async () => {
  const queue = new Queue<{ n: number }>(db.pgq, 'held');
  await queue.create();
  const bus = new PubSub(db.pgq);
  const rpcServer = new RpcServer(db.pgq, 'held_rpc', () => 'pong');
  await rpcServer.start();
  const rpc = new RpcClient(db.pgq, { timeoutMs: 5_000 });
  const warnings: string[] = [];
  const watched = db.connect({
    logger: { debug() {}, info() {}, error() {}, warn: (message) => warnings.push(message) },
  });
  try {
    expect(await rpc.call('held_rpc', null)).toBe('pong');
    figures.before = percent(await usage());

    await holder.query('listen anything');
    await holder.query('begin');
    await holder.query('select 1');
    // About a queue page (8 kB) per notification; 64 pages in all.
    const notify = () => filler.query('select pg_notify($1, $2)', ['noise', 'n'.repeat(7_900)]);
    for (let sent = 0; sent < 20; sent++) await notify();
    const rising = await health(db.pgq);
    expect(rising.notifyQueueUsage).toBeGreaterThan(0.2);
    expect(rising.warnings.map((warning) => warning.code)).not.toContain(
      'PGQ_NOTIFY_QUEUE_FILLING',
    );
    figures.after20 = percent(rising.notifyQueueUsage);
    for (let sent = 0; sent < 20; sent++) await notify();
    const half = await health(db.pgq);
    expect(half.warnings).toContainEqual(
      expect.objectContaining({ code: 'PGQ_NOTIFY_QUEUE_FILLING' }),
    );
    figures.after40 = percent(half.notifyQueueUsage);
    let sent = 40;
    const full = await (async () => {
      for (;;) {
        try {
          await notify();
          sent++;
        } catch (error) {
          return error as Error & { code?: string };
        }
      }
    })();
    expect(full).toMatchObject({
      code: SqlState.programLimitExceeded,
      message: 'too many notifications in the NOTIFY queue',
    });
    expect(await usage()).toBe(1);
    figures.fullAfter = sent;

    // At 100 %: what notifies at commit fails, and writes nothing.
    const before = await schemaSnapshot(db.pgq, 'pgq_notify_marker');
    await expect(queue.enqueue({ n: 1 }, { durable: false })).rejects.toBeInstanceOf(
      NotifyQueueFullError,
    );
    const app = await db.pgq.pool.connect();
    try {
      await app.query('begin');
      await queue.enqueue({ n: 2 }, { tx: app });
      // The app's own COMMIT is what fails: pgq's NOTIFY is sent with it.
      await expect(app.query('commit')).rejects.toMatchObject({
        code: SqlState.programLimitExceeded,
      });
    } finally {
      app.release();
    }
    await expect(bus.publish('held.events', { n: 3 })).rejects.toBeInstanceOf(NotifyQueueFullError);
    await expect(rpc.call('held_rpc', null)).rejects.toBeInstanceOf(NotifyQueueFullError);
    expect(await schemaSnapshot(db.pgq, 'pgq_notify_marker')).toEqual(before);
    // A durable enqueue commits first and announces after: the job is there, the wake-up is
    // not (one warning), and a worker's poll finds the job.
    const { id } = await new Queue<{ n: number }>(watched, 'held').enqueue({ n: 4 });
    await waitUntil(() => warnings.some((warning) => warning.includes('could not announce')));
    const ran: number[] = [];
    const worker = new Worker(
      watched,
      'held',
      async (job) => {
        ran.push((job.payload as { n: number }).n);
      },
      { pollIntervalMs: 200 },
    );
    await worker.start();
    try {
      await waitUntil(() => ran.includes(4), { timeoutMs: 10_000 });
    } finally {
      await worker.stop();
    }
    expect((await queue.get(id))?.state).toBe('completed');
    const report = await health(db.pgq);
    expect(report.ok).toBe(false);
    expect(report.warnings).toContainEqual(
      expect.objectContaining({
        code: 'PGQ_NOTIFY_QUEUE_FILLING',
        message: expect.stringContaining('The NOTIFY queue is 100.0% full'),
      }),
    );

    // The transaction ends: the queue is trimmed (to the page being written) and everything
    // works again.
    await holder.query('commit');
    await waitUntil(async () => (await usage()) <= 1 / 64);
    figures.afterCommit = percent(await usage());
    await queue.enqueue({ n: 5 }, { durable: false });
    await bus.publish('held.events', { n: 6 });
    expect(await rpc.call('held_rpc', null)).toBe('pong');
  } finally {
    await holder.query('rollback').catch(() => {});
    await rpc.close();
    await rpcServer.stop();
    await bus.close();
  }
}, 120_000);
