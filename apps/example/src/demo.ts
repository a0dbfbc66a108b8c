// `pnpm demo`: a scripted tour of the sample app. Starts it on a free port against
// DATABASE_URL (in throwaway schemas) or a temporary embedded PostgreSQL, drives it over
// HTTP, checks that each step really happened and prints one ✓ line per step. Exits
// non-zero at the first step that did not.
import { randomBytes } from 'node:crypto';
import { connect, type Pgq, quoteIdentifier } from '@pgq/core';
import { migrate } from '@pgq/migrate';
import { type EventStreamClient, openEventStream } from './event-stream-client.js';
import { openLocalDatabase } from './local-database.js';
import { type RunningApp, startApp } from './start-app.js';
import { describeThumbnail } from './thumbnail.js';
import type { SentEmail } from './welcome-email.js';
import { nightlySchedule } from './worker.js';

// The whole tour must finish well within this, or something is stuck.
const tourTimeoutMs = 55_000;
const started = performance.now();

function step(message: string): void {
  console.log(`✓ ${message}`);
}

function check(condition: unknown, failure: string): asserts condition {
  if (!condition) throw new Error(failure);
}

function seconds(since: number): string {
  return `${((performance.now() - since) / 1000).toFixed(1)} s`;
}

async function request(
  baseUrl: string,
  method: 'GET' | 'POST',
  path: string,
  body?: unknown,
): Promise<{ status: number; headers: Headers; json: any }> {
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    ...(body === undefined
      ? {}
      : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
  });
  return { status: response.status, headers: response.headers, json: await response.json() };
}

async function tour(pgq: Pgq, appSchema: string): Promise<void> {
  const { version } = await migrate(pgq);
  let app: RunningApp | undefined;
  let events: EventStreamClient | undefined;
  try {
    app = await startApp({ pgq, appSchema, port: 0 });
    step(
      `migrated pgq (schema "${pgq.schema}", version ${version}) and the app's users table (schema "${appSchema}"); app and worker listening on ${app.url}`,
    );
    const { url } = app;
    const { emails } = app.services.queues;

    events = await openEventStream(`${url}/events`);
    const ready = await events.next();
    check(ready.event === 'ready', `GET /events began with "${ready.event}", not "ready"`);
    step('GET /events: Server-Sent Events stream open, listening for user_signup');

    const ada = await request(url, 'POST', '/signup', { email: 'ada@example.com' });
    check(ada.status === 201, `POST /signup answered ${ada.status}: ${JSON.stringify(ada.json)}`);
    step(
      `POST /signup ada@example.com → 201: user ${ada.json.id}, welcome email job ${ada.json.welcomeJobId} and the event written in the same transaction`,
    );

    const again = await request(url, 'POST', '/signup', { email: 'ada@example.com' });
    check(again.status === 409, `a duplicate POST /signup answered ${again.status}, not 409`);
    const grace = await request(url, 'POST', '/signup', { email: 'grace@example.com' });
    check(
      grace.status === 201,
      `POST /signup answered ${grace.status}: ${JSON.stringify(grace.json)}`,
    );
    const jobs = await emails.list({ limit: 100 });
    check(jobs.length === 2, `expected 2 welcome email jobs, found ${jobs.length}`);
    step(
      `POST /signup ada@example.com again → 409: the insert failed and the transaction took its job and event with it (2 signups, 2 email jobs)`,
    );

    const sent = await Promise.all(
      [ada.json.welcomeJobId, grace.json.welcomeJobId].map((id: string) =>
        emails.waitFor(id, { timeoutMs: 10_000 }),
      ),
    );
    step(
      `welcome emails sent by the worker: ${(sent as SentEmail[]).map((email) => `${email.to} ${email.messageId}`).join(', ')}`,
    );

    // Events arrive in commit order: had the duplicate's event escaped, it would come before
    // grace's, so two events in this order prove it did not.
    const received = [await events.next(), await events.next()].map((event) => {
      check(event.event === 'user_signup', `unexpected SSE event "${event.event}"`);
      return JSON.parse(event.data) as { userId: number; email: string };
    });
    check(
      received[0]?.email === 'ada@example.com' && received[1]?.email === 'grace@example.com',
      `SSE received ${JSON.stringify(received)}, expected ada then grace`,
    );
    step(
      `GET /events received user_signup ${JSON.stringify(received[0])} then ${JSON.stringify(received[1])}, and nothing from the duplicate`,
    );

    const first = await request(url, 'GET', `/users/${ada.json.id}`);
    const second = await request(url, 'GET', `/users/${ada.json.id}`);
    check(
      first.status === 200 && first.headers.get('x-cache') === 'miss',
      `the first GET /users/${ada.json.id} answered ${first.status}, x-cache ${first.headers.get('x-cache')}`,
    );
    check(
      second.headers.get('x-cache') === 'hit' && second.json.email === first.json.email,
      `the second GET /users/${ada.json.id} answered x-cache ${second.headers.get('x-cache')}`,
    );
    step(
      `GET /users/${ada.json.id} → x-cache: miss (read from users), then x-cache: hit (from the cache)`,
    );

    const thumbnailRequest = { url: 'https://example.com/images/cat.png', width: 320 };
    const thumbnail = await request(url, 'POST', '/thumbnails', thumbnailRequest);
    check(
      thumbnail.status === 200,
      `POST /thumbnails answered ${thumbnail.status}: ${JSON.stringify(thumbnail.json)}`,
    );
    check(
      JSON.stringify(thumbnail.json) === JSON.stringify(describeThumbnail(thumbnailRequest)),
      `POST /thumbnails answered ${JSON.stringify(thumbnail.json)}`,
    );
    step(`POST /thumbnails → the worker answered over RPC: ${thumbnail.json.description}`);

    const stats = await request(url, 'GET', '/stats');
    const queues = stats.json.queues as Record<string, { pending: number; completed: number }>;
    check(queues.emails?.completed === 2, `GET /stats: ${JSON.stringify(stats.json)}`);
    step(
      `GET /stats → ${Object.entries(queues)
        .map(
          ([name, counts]) => `${name}: ${counts.completed} completed, ${counts.pending} pending`,
        )
        .join('; ')}`,
    );

    const schedule = await app.worker?.scheduler.get(nightlySchedule.name);
    check(schedule, `the ${nightlySchedule.name} schedule is not registered`);
    step(
      `cron: ${schedule.name} registered ("${schedule.cron}" ${schedule.timezone} → ${schedule.queue}), next run ${schedule.nextRunAt?.toISOString() ?? 'never'}`,
    );
  } finally {
    events?.close();
    const stopping = performance.now();
    await app?.stop();
    if (app) {
      step(
        `stopped the app, its worker and the SSE stream in ${Math.round(performance.now() - stopping)} ms`,
      );
    }
  }
}

async function main(): Promise<void> {
  const timeout = setTimeout(() => {
    console.error(`✗ the tour took longer than ${tourTimeoutMs / 1000} s`);
    process.exit(1);
  }, tourTimeoutMs);
  timeout.unref();
  const database = await openLocalDatabase({ durable: false });
  step(
    database.embedded
      ? `started a temporary embedded PostgreSQL in ${seconds(started)}`
      : 'using DATABASE_URL (in throwaway schemas, dropped at the end)',
  );
  // Throwaway schemas, so the tour never touches an existing pgq or example schema.
  const suffix = randomBytes(4).toString('hex');
  const pgq = connect({ connectionString: database.url, schema: `pgq_demo_${suffix}` });
  const appSchema = `example_demo_${suffix}`;
  let failed = false;
  try {
    await tour(pgq, appSchema);
  } catch (error) {
    failed = true;
    console.error(`✗ ${error instanceof Error ? error.message : String(error)}`);
  } finally {
    await pgq.pool
      .query(
        `drop schema if exists ${quoteIdentifier(appSchema)} cascade; drop schema if exists ${pgq.quotedSchema} cascade`,
      )
      .catch(() => {});
    await pgq.close();
    await database.stop();
  }
  if (failed) process.exit(1);
  step(`tour complete in ${seconds(started)}`);
  process.exit(0);
}

main().catch((error: unknown) => {
  console.error(`✗ ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
