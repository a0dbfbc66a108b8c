import { once } from 'node:events';
import { createTestDatabase, type TestDatabase } from '@pgq/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PubSub } from '../src/index.js';
import { take } from './support.js';

let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(() => db.dispose());

describe('reconnect', () => {
  it('resumes delivery after pg_terminate_backend on the listener, and says so', async () => {
    const subscriberPgq = db.connect();
    const bus = new PubSub(subscriberPgq);
    const publisher = new PubSub(db.pgq);
    const exact = await bus.subscribe<string>('survive.exact');
    const pushed: string[] = [];
    let pushedAfter = () => {};
    const afterPushed = new Promise<void>((resolve) => {
      pushedAfter = resolve;
    });
    const wildcard = await bus.subscribe<string>('survive.*', (message) => {
      pushed.push(message.payload);
      if (message.payload === 'after') pushedAfter();
    });
    await publisher.publish('survive.exact', 'before');
    expect((await take(exact, 1))[0]?.payload).toBe('before');

    const pid = subscriberPgq.listener.backendPid;
    const rows = await db.pgq.query<{ query: string }>(
      'select query from pg_stat_activity where pid = $1',
      [pid],
    );
    expect(rows[0]?.query).toMatch(/LISTEN|pg_listening_channels/);
    const signals = Promise.all([
      once(bus, 'reconnected'),
      once(exact, 'reconnected'),
      once(wildcard, 'reconnected'),
    ]);
    await db.pgq.query('select pg_terminate_backend($1)', [pid]);
    await signals;
    expect(subscriberPgq.listener.backendPid).not.toBe(pid);

    await publisher.publish('survive.exact', 'after');
    expect((await take(exact, 1))[0]?.payload).toBe('after');
    await afterPushed;
    expect(pushed).toEqual(['before', 'after']);
    await Promise.all([bus.close(), publisher.close()]);
  });
});
