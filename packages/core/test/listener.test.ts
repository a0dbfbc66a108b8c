import { once } from 'node:events';
import { Listener, type ListenerClient, silentLogger } from '@pgq/core';
import { createTestDatabase, type TestDatabase } from '@pgq/testing';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase({ migrate: false });
});
afterAll(() => db.dispose());

function nextPayload(listener: TestDatabase['pgq']['listener'], channel: string) {
  return new Promise<string>((resolve) => {
    const unlisten = listener.listen(channel, (payload) => {
      void unlisten.then((stop) => stop());
      resolve(payload);
    });
  });
}

describe('Listener', () => {
  it('delivers notifications to every handler of a channel and stops after unlisten', async () => {
    const pgq = db.connect();
    const seen: string[] = [];
    const first = await pgq.listener.listen('core_test', (payload) => {
      seen.push(`a:${payload}`);
    });
    const second = await pgq.listener.listen('core_test', (payload) => {
      seen.push(`b:${payload}`);
    });
    const done = nextPayload(pgq.listener, 'core_test_done');
    await db.pgq.query(`select pg_notify('core_test', 'one'), pg_notify('core_test_done', '')`);
    await done;
    expect(seen.sort()).toEqual(['a:one', 'b:one']);

    await first();
    const done2 = nextPayload(pgq.listener, 'core_test_done');
    await db.pgq.query(`select pg_notify('core_test', 'two'), pg_notify('core_test_done', '')`);
    await done2;
    expect(seen.sort()).toEqual(['a:one', 'b:one', 'b:two']);

    await second();
    const listening = await pgq.listener.channels;
    expect(listening).toEqual([]);
  });

  it('uses one connection for every channel', async () => {
    const pgq = db.connect();
    await Promise.all(['c1', 'c2', 'c3'].map((channel) => pgq.listener.listen(channel, () => {})));
    const rows = await db.pgq.query<{ channels: number }>(
      `select count(*)::int as channels from pg_stat_activity where pid = $1`,
      [pgq.listener.backendPid],
    );
    expect(rows[0]?.channels).toBe(1);
    expect(pgq.listener.channels.sort()).toEqual(['c1', 'c2', 'c3']);
  });

  it('survives pg_terminate_backend: reconnects, LISTENs again and delivers', async () => {
    const pgq = db.connect();
    const received: string[] = [];
    await pgq.listener.listen('core_survivor', (payload) => {
      received.push(payload);
    });
    const pid = pgq.listener.backendPid;
    expect(pid).toBeTypeOf('number');
    const reconnected = once(pgq.listener, 'reconnected');
    await db.pgq.query('select pg_terminate_backend($1)', [pid]);
    await reconnected;
    expect(pgq.listener.backendPid).not.toBe(pid);

    const delivered = nextPayload(pgq.listener, 'core_survivor');
    await db.pgq.query(`select pg_notify('core_survivor', 'after')`);
    expect(await delivered).toBe('after');
    expect(received).toContain('after');
  });

  it('notices a LISTEN lost from its session and restores it', async () => {
    const clients: pg.Client[] = [];
    const listener = new Listener({
      logger: silentLogger,
      healthCheckIntervalMs: 100,
      connect: async () => {
        const client = new pg.Client({ connectionString: db.url });
        await client.connect();
        clients.push(client);
        return client as unknown as ListenerClient;
      },
    });
    try {
      await listener.listen('core_health', () => {});
      // The session silently loses its LISTEN (as behind a pooler that resets sessions).
      const restored = once(listener, 'reconnected');
      await clients[0]!.query('UNLISTEN *');
      await restored;
      expect(clients).toHaveLength(1);
      const rows = await clients[0]!.query(
        'select array(select pg_listening_channels()) as channels',
      );
      expect(rows.rows[0].channels).toEqual(['core_health']);
    } finally {
      await listener.close();
    }
  });

  it('reports a throwing handler on error and keeps delivering', async () => {
    const pgq = db.connect();
    const errors: Error[] = [];
    pgq.listener.on('error', (error) => errors.push(error));
    await pgq.listener.listen('core_throw', () => {
      throw new Error('handler broke');
    });
    const delivered = nextPayload(pgq.listener, 'core_throw');
    await db.pgq.query(`select pg_notify('core_throw', 'x')`);
    expect(await delivered).toBe('x');
    expect(errors.map((error) => error.message)).toEqual(['handler broke']);
  });

  it('refuses to listen once closed', async () => {
    const pgq = db.connect();
    await pgq.close();
    await expect(pgq.listener.listen('core_closed', () => {})).rejects.toMatchObject({
      code: 'PGQ_CLOSED',
    });
  });
});
