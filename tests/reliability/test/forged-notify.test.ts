// Issue 26, item 3: a plain login (no pgq grants at all) may LISTEN to and NOTIFY any channel.
// Here it forges pub/sub messages (plain, by reference to another channel's stored body, with
// escape codes in the channel), floods a subscriber with 12,000 forged references to one 1 MB
// body plus replays of the genuine one, and forges an RPC "reply ready" carrying another
// caller's request id. Each forgery must be dropped, the subscriber must stay up and small,
// and genuine traffic after the attack must arrive.
import { randomBytes } from 'node:crypto';
import { type Pgq, quoteIdentifier, SqlState } from '@pgq/core';
import { type Message, PubSub } from '@pgq/pubsub';
import { Queue } from '@pgq/queue';
import { RpcClient, type RpcRequest } from '@pgq/rpc';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { createLoginRole, dropRole, type LoginRole } from '../src/login-role.js';
import { type Child, killChild, startChild } from '../src/processes.js';
import { useFigures, useTestDatabase } from '../src/suite.js';
import { waitUntil } from '../src/wait.js';

const db = useTestDatabase({
  beforeDispose: async ({ pgq }) => {
    await attacker?.end();
    await pgq.pool.query(`drop schema if exists ${pgq.quotedSchema} cascade`);
    if (login) await dropRole(pgq, login.name);
  },
});
const figures = useFigures('forged notify');
const insufficientPrivilege = SqlState.insufficientPrivilege;
// What the flooded subscriber (a child process) may use at its peak: it starts at ~110 MB
// resident, ~20 MB of heap (Node, tsx and the sources, one 1 MB message); on the unsigned
// format the flood took it to V8's heap limit.
const maxRssBytes = 192 * 1_048_576;
const maxHeapBytes = 64 * 1_048_576;

let login: LoginRole | undefined;
let attacker: pg.Client | undefined;
// What the attacker has heard, per NOTIFY channel.
const heard = new Map<string, string[]>();
const opened: Array<{ close(): Promise<void> }> = [];
let child: Child | undefined;

beforeAll(async () => {
  login = await createLoginRole(
    db.pgq,
    db.url,
    `pgq_t${randomBytes(4).toString('hex')}_plain`,
    undefined,
  );
  attacker = new pg.Client({ connectionString: login.url });
  attacker.on('notification', ({ channel, payload }) => {
    heard.set(channel, [...(heard.get(channel) ?? []), payload ?? '']);
  });
  await attacker.connect();
});

afterEach(async () => {
  for (const closable of opened.splice(0).reverse()) await closable.close();
  if (child) await killChild(child);
  child = undefined;
});

afterAll(() => {
  figures.attacker = 'plain login, no grants';
});

function notifyChannel(channel: string): string {
  return db.pgq.channel(`pubsub:${channel}`);
}

/** The attacker LISTENs to a channel and returns what it hears there from now on. */
async function eavesdrop(channel: string): Promise<() => string[]> {
  const name = notifyChannel(channel);
  heard.set(name, []);
  await attacker!.query(`listen ${quoteIdentifier(name)}`);
  return () => heard.get(name) ?? [];
}

/** The attacker sends `payloads` on a channel, one transaction each (equal ones stay apart). */
async function forge(channel: string, payloads: readonly string[]): Promise<void> {
  for (const payload of payloads) {
    await attacker!.query('select pg_notify($1, $2)', [channel, payload]);
  }
}

/** A subscriber of its own (own pool and listener) that records every message it is handed. */
async function subscriber(...channels: string[]): Promise<{ bus: PubSub; received: Message[] }> {
  const pgq = db.connect();
  const bus = new PubSub(pgq);
  bus.on('error', () => {});
  opened.push(pgq, bus);
  const received: Message[] = [];
  for (const channel of channels)
    await bus.subscribe(channel, (message) => void received.push(message));
  return { bus, received };
}

function publisher(pgq: Pgq = db.pgq): PubSub {
  const bus = new PubSub(pgq);
  opened.push(bus);
  return bus;
}

const bogusTag = '0'.repeat(32);

it('a forged plain message is not delivered, nor a genuine one altered', async () => {
  const { bus, received } = await subscriber('orders.paid');
  const genuine = publisher();
  const captured = await eavesdrop('orders.paid');
  await genuine.publish('orders.paid', { order: 1, amount: 10 });
  await waitUntil(() => captured().length === 1 && received.length === 1);
  const [envelope] = captured();
  const channel = notifyChannel('orders.paid');
  await forge(channel, [
    // The format pgq used before messages were signed: what today's attack sends.
    `1jforged:1 orders.paid\n${JSON.stringify({ order: 2, amount: 1_000_000 })}`,
    // The signed format with a made-up tag, and a genuine message with its body changed.
    `2${bogusTag}j${Date.now().toString(36)} forged:2 orders.paid\n{"order":3}`,
    envelope!.replace('"amount":10', '"amount":99'),
    'not a pgq message',
  ]);
  await genuine.publish('orders.paid', { order: 4, amount: 20 });
  await waitUntil(() => received.length >= 2);
  expect(received.map((message) => message.payload)).toEqual([
    { order: 1, amount: 10 },
    { order: 4, amount: 20 },
  ]);
  expect(bus.rejected).toBe(4);
  figures.plain = `4 forged/${bus.rejected} dropped`;
});

it("a forged reference to another channel's stored body is not delivered", async () => {
  const { bus, received } = await subscriber('orders.paid');
  const genuine = publisher();
  // The attacker learns a stored body's id by listening where it is announced.
  const captured = await eavesdrop('secret.big');
  const secret = { secret: 'x'.repeat(20_000) };
  await genuine.publish('secret.big', secret);
  await waitUntil(() => captured().length === 1);
  const [envelope] = captured();
  const storedId = envelope!.slice(envelope!.lastIndexOf('\n') + 1);
  expect(storedId).toMatch(/^[0-9a-f-]{36}$/);
  const channel = notifyChannel('orders.paid');
  await forge(channel, [
    `1Jforged:1 orders.paid\n${storedId}`,
    // The genuine envelope, its channel changed under its tag; and as it is, on this channel.
    envelope!.replace(' secret.big\n', ' orders.paid\n'),
    envelope!,
  ]);
  await genuine.publish('orders.paid', { order: 5 });
  await waitUntil(() => received.length >= 1);
  expect(received.map((message) => message.payload)).toEqual([{ order: 5 }]);
  expect(bus.rejected).toBe(2);
  figures.reference = `3 forged, ${received.length} delivered`;
});

it('a forged channel with terminal escape codes does not reach a wildcard subscriber', async () => {
  const { bus, received } = await subscriber('events.>');
  const genuine = publisher();
  const evil = 'events.\u001b[2J\u001b[31mpwned\u0007';
  await forge(notifyChannel('events.>'), [
    `1jforged:1 ${evil}\n{}`,
    `2${bogusTag}j${Date.now().toString(36)} forged:2 ${evil}\n{}`,
  ]);
  await genuine.publish('events.after', 'ok');
  await waitUntil(() => received.length >= 1);
  expect(received.map((message) => message.channel)).toEqual(['events.after']);
  expect(bus.rejected).toBe(2);
});

it('12,000 forged references to one 1 MB body and 4,000 replays: the subscriber stays up and small, later messages arrive', async () => {
  child = await startChild('fixtures/pubsub-subscriber.ts', {
    env: {
      DATABASE_URL: db.url,
      PGQ_SCHEMA: db.schema,
      CHANNELS: 'orders.paid,secret.big',
      HANDLER_DELAY_MS: '5',
      // On the unsigned format this flood took a subscriber to V8's heap limit: a low one here
      // makes that quick, not minutes of swapping on a shared machine.
      NODE_OPTIONS: '--max-old-space-size=256',
    },
  });
  const lines = child.lines;
  const parsed = (kind: string) =>
    lines
      .filter((line) => line.startsWith(`${kind} `))
      .map((line) => JSON.parse(line.slice(kind.length + 1)) as Record<string, unknown>);
  const exited = () => child!.process.exitCode !== null || child!.process.signalCode !== null;
  const genuine = publisher();
  const captured = await eavesdrop('secret.big');
  // A JSON body of 1,000,000 bytes.
  const secret = { secret: 'x'.repeat(1_000_000 - '{"secret":""}'.length) };
  await genuine.publish('secret.big', secret);
  await waitUntil(() => captured().length === 1 && parsed('message').length === 1);
  const [envelope] = captured();
  const storedId = envelope!.slice(envelope!.lastIndexOf('\n') + 1);
  const before = parsed('memory').at(-1)!;

  const started = Date.now();
  await attacker!.query(
    `select pg_notify($1, '1J' || 'forged:' || i || ' orders.paid' || chr(10) || $2)
       from generate_series(1, 12000) as i`,
    [notifyChannel('orders.paid'), storedId],
  );
  const tagged = envelope!.replace(' secret.big\n', ' orders.paid\n');
  await forge(
    notifyChannel('orders.paid'),
    Array.from({ length: 2_000 }, () => tagged),
  );
  await forge(
    notifyChannel('secret.big'),
    Array.from({ length: 2_000 }, () => envelope!),
  );
  await genuine.publish('orders.paid', { after: 'flood' });
  const afterBytes = Buffer.byteLength(JSON.stringify({ after: 'flood' }));
  const arrived = (message: Record<string, unknown>) =>
    message.channel === 'orders.paid' && message.bytes === afterBytes;
  await waitUntil(() => exited() || parsed('message').some(arrived), {
    timeoutMs: 90_000,
    message: 'the message published after the flood did not arrive',
  });
  const seconds = (Date.now() - started) / 1_000;
  expect(exited(), 'the subscriber died').toBe(false);
  const messages = parsed('message');
  expect(messages.map((message) => [message.channel, message.bytes])).toEqual([
    ['secret.big', 1_000_000],
    ['orders.paid', afterBytes],
  ]);
  expect(messages.at(-1)?.rejected).toBe(16_000);
  const memory = parsed('memory');
  const peakRss = Math.max(...memory.map((sample) => sample.rss as number));
  const peakHeap = Math.max(...memory.map((sample) => sample.heapUsed as number));
  const mb = (bytes: unknown) => Math.round((bytes as number) / 1_048_576);
  figures.flood = `16000 forged/${messages.at(-1)?.rejected} dropped in ${seconds.toFixed(1)}s, rss ${mb(before.rss)}->${mb(peakRss)}MB heap ${mb(before.heapUsed)}->${mb(peakHeap)}MB`;
  expect(peakRss).toBeLessThan(maxRssBytes);
  expect(peakHeap).toBeLessThan(maxHeapBytes);
});

it("a forged RPC reply-ready does not take another caller's reply: both callers get their answers", async () => {
  const queue = new Queue<RpcRequest>(db.pgq, 'rpc_forged');
  await queue.create();
  const alice = new RpcClient(db.connect());
  const bob = new RpcClient(db.connect());
  const server = new RpcClient(db.pgq);
  opened.push(alice, bob, server);
  // A server by hand: claims the request and reads its id, as any worker does.
  const claim = async () => {
    let job: Awaited<ReturnType<typeof queue.dequeue>> = null;
    await waitUntil(async () => {
      job = await queue.dequeue();
      return job !== null;
    });
    return job!;
  };
  const bobCall = bob.call('rpc_forged', { who: 'bob' }, { timeoutMs: 15_000 });
  const bobJob = await claim();
  const bobId = bobJob.payload.requestId;
  // Bob's reply is stored; its announcement to Bob is held back, as when Bob's listener is
  // reconnecting or slow: the window the attack needs.
  await server.respond(bobId, { for: 'bob' }, { replyTo: db.pgq.channel('rpc.reply.nobody') });
  await queue.complete(bobJob);

  // Alice is waiting on a call of her own (so she is LISTENing) when the forgery comes.
  const aliceCall = alice.call('rpc_forged', { who: 'alice' }, { timeoutMs: 15_000 });
  const aliceJob = await claim();
  await attacker!.query('select pg_notify($1, $2)', [alice.channel, bobId]);
  await server.respond(aliceJob.payload.requestId, { for: 'alice' });
  await queue.complete(aliceJob);
  expect(await aliceCall).toEqual({ for: 'alice' });

  // Now Bob hears of his reply, late: it must still be there for him.
  await db.pgq.query('select pg_notify($1, $2)', [bob.channel, bobId]);
  expect(await bobCall).toEqual({ for: 'bob' });
});

it('the plain login cannot read the key, even with USAGE on the schema', async () => {
  await db.pgq.pool.query(
    `grant usage on schema ${db.pgq.quotedSchema} to ${quoteIdentifier(login!.name)}`,
  );
  for (const statement of [
    `select key from ${db.pgq.table('pubsub_auth')}`,
    `select ${db.pgq.quotedSchema}.pubsub_tag('x')`,
  ]) {
    const error = await attacker!.query(statement).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: insufficientPrivilege });
  }
});
