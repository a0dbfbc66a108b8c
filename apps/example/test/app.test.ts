// End to end: the app and its worker on a free port, against a schema of this file's own,
// driven over HTTP like a client would.
import { quoteIdentifier } from '@pgq/core';
import { createTestDatabase, type TestDatabase } from '@pgq/testing';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { migrateApp } from '../src/app-migrations.js';
import { type EventStreamClient, openEventStream } from '../src/event-stream-client.js';
import { type RunningApp, startApp } from '../src/start-app.js';
import { describeThumbnail } from '../src/thumbnail.js';
import { nightlySchedule } from '../src/worker.js';

let db: TestDatabase;
let appSchema: string;
let app: RunningApp;
let events: EventStreamClient | undefined;

async function call(
  method: 'GET' | 'POST',
  path: string,
  body?: unknown,
): Promise<{ status: number; headers: Headers; json: any }> {
  const response = await fetch(`${app.url}${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  return { status: response.status, headers: response.headers, json: await response.json() };
}

async function nextSignup(stream: EventStreamClient): Promise<{ userId: number; email: string }> {
  const event = await stream.next();
  expect(event.event).toBe('user_signup');
  return JSON.parse(event.data);
}

async function emailJobsTo(email: string): Promise<number> {
  const jobs = await app.services.queues.emails.list({ limit: 1000 });
  return jobs.filter((job) => job.payload.to === email).length;
}

async function usersWith(email: string): Promise<number> {
  const rows = await app.services.db
    .selectFrom('users')
    .where('email', '=', email)
    .selectAll()
    .execute();
  return rows.length;
}

beforeAll(async () => {
  db = await createTestDatabase();
  appSchema = `${db.schema}_app`;
  app = await startApp({ pgq: db.pgq, appSchema, port: 0 });
});

afterAll(async () => {
  events?.close();
  await app?.stop();
  await db?.pgq.pool.query(`drop schema if exists ${quoteIdentifier(appSchema)} cascade`);
  await db?.dispose();
});

describe('the example app', () => {
  let ada: { id: number; email: string; welcomeJobId: string };

  it('POST /signup inserts the user, enqueues the welcome email and publishes user_signup', async () => {
    events = await openEventStream(`${app.url}/events`);
    expect((await events.next()).event).toBe('ready');

    const response = await call('POST', '/signup', { email: 'Ada@Example.com' });
    expect(response.status).toBe(201);
    ada = response.json;
    expect(ada).toMatchObject({ email: 'ada@example.com', id: expect.any(Number) });

    expect(await nextSignup(events)).toEqual({ userId: ada.id, email: 'ada@example.com' });
    const sent = await app.services.queues.emails.waitFor(ada.welcomeJobId, { timeoutMs: 10_000 });
    expect(sent).toMatchObject({ to: 'ada@example.com', messageId: expect.any(String) });
    expect(await usersWith('ada@example.com')).toBe(1);
  });

  it('a duplicate email gets 409 and nothing escapes the rolled-back transaction: no job, no event', async () => {
    for (const email of ['ada@example.com', 'ADA@example.com']) {
      const response = await call('POST', '/signup', { email });
      expect(response.status).toBe(409);
    }
    expect(await usersWith('ada@example.com')).toBe(1);
    expect(await emailJobsTo('ada@example.com')).toBe(1);

    // Events arrive in commit order: an event escaped from the duplicates would come first.
    const grace = await call('POST', '/signup', { email: 'grace@example.com' });
    expect(grace.status).toBe(201);
    expect(await nextSignup(events!)).toEqual({
      userId: grace.json.id,
      email: 'grace@example.com',
    });
    await app.services.queues.emails.waitFor(grace.json.welcomeJobId, { timeoutMs: 10_000 });
  });

  it('POST /signup refuses a bad body with 400 and writes nothing', async () => {
    const badEmail = await call('POST', '/signup', { email: 'not-an-email' });
    expect(badEmail.status).toBe(400);
    expect(badEmail.json.code).toBe('PGQ_VALIDATION');
    expect((await call('POST', '/signup', '{not json')).status).toBe(400);
    expect(await usersWith('not-an-email')).toBe(0);
    expect(await emailJobsTo('not-an-email')).toBe(0);
  });

  it('GET /users/:id reads through the cache: miss, then hit', async () => {
    const first = await call('GET', `/users/${ada.id}`);
    expect(first.status).toBe(200);
    expect(first.headers.get('x-cache')).toBe('miss');
    expect(first.json).toEqual({
      id: ada.id,
      email: 'ada@example.com',
      createdAt: expect.any(String),
    });

    const second = await call('GET', `/users/${ada.id}`);
    expect(second.headers.get('x-cache')).toBe('hit');
    expect(second.json).toEqual(first.json);
    expect(await app.services.cache.has(`user:${ada.id}`)).toBe(true);
  });

  it('GET /users/:id answers 404 for a missing user and does not cache it', async () => {
    expect((await call('GET', '/users/999999')).status).toBe(404);
    expect((await call('GET', '/users/abc')).status).toBe(404);
    expect(await app.services.cache.has('user:999999')).toBe(false);
  });

  it('POST /thumbnails is answered by the worker over RPC', async () => {
    const request = { url: 'https://example.com/images/cat.png', width: 320 };
    const response = await call('POST', '/thumbnails', request);
    expect(response.status).toBe(200);
    expect(response.json).toEqual(describeThumbnail(request));
    expect(response.json).toMatchObject({
      width: 320,
      height: 240,
      sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
    });

    const other = await call('POST', '/thumbnails', { ...request, width: 321 });
    expect(other.json.sha256).not.toBe(response.json.sha256);
    expect((await call('POST', '/thumbnails', { url: 'nope', width: 0 })).status).toBe(400);
  });

  it("GET /stats shows each queue's counts", async () => {
    const response = await call('GET', '/stats');
    expect(response.status).toBe(200);
    expect(Object.keys(response.json.queues).sort()).toEqual(['emails', 'reports', 'thumbnails']);
    expect(response.json.queues.emails).toMatchObject({
      completed: 2,
      pending: 0,
      active: 0,
      dead: 0,
    });
  });

  it('registers the nightly cron schedule at start', async () => {
    const schedule = await app.worker!.scheduler.get(nightlySchedule.name);
    expect(schedule).toMatchObject({ cron: '0 3 * * *', timezone: 'UTC', queue: 'reports' });
    const nextRunAt = schedule!.nextRunAt!;
    expect(nextRunAt.getTime()).toBeGreaterThan(Date.now() - 60_000);
    expect([nextRunAt.getUTCHours(), nextRunAt.getUTCMinutes()]).toEqual([3, 0]);
  });

  it('GET /events closes its subscription when the client disconnects', async () => {
    const listening = () =>
      db.pgq.listener.channels.some((channel) => channel.includes('user_signup'));
    expect(listening()).toBe(true);
    events!.close();
    await vi.waitFor(() => expect(listening()).toBe(false), { timeout: 5_000, interval: 20 });
  });

  it('migrating the app again changes nothing', async () => {
    expect(await migrateApp(db.pgq.pool, appSchema)).toEqual([]);
  });

  it('stop() ends open event streams and stops the worker', async () => {
    const stream = await openEventStream(`${app.url}/events`);
    expect((await stream.next()).event).toBe('ready');
    await app.stop();
    await stream.ended;
    expect(app.worker?.emails.state).toBe('stopped');
    expect(db.pgq.listener.channels).toEqual([]);
  });
});
