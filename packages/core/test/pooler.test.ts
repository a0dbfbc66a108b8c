import { Listener, type ListenerClient, type Logger, SqlState, silentLogger } from '@pgq/core';
import { createTestDatabase, type TestDatabase } from '@pgq/testing';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// PgBouncer itself is exercised by tests/reliability/test/pgbouncer.test.ts; these tests
// reproduce what a transaction-mode pooler does to a session, without one.

let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase({ migrate: false });
});
afterAll(() => db.dispose());

function recordingLogger(): Logger & { warnings: string[] } {
  const warnings: string[] = [];
  return { ...silentLogger, warn: (message) => warnings.push(message), warnings };
}

describe('LISTEN behind a transaction-mode pooler', () => {
  it('falls back to polling, with one warning, when a NOTIFY from elsewhere never arrives', async () => {
    const logger = recordingLogger();
    const clients: pg.Client[] = [];
    const listener = new Listener({
      logger,
      // What a transaction-mode pooler amounts to: the LISTEN runs, the notification goes
      // to whichever client holds that server session next, never to this one.
      notify: async () => {},
      probeTimeoutMs: 200,
      pollIntervalMs: 50,
      connect: async () => {
        const client = new pg.Client({ connectionString: db.url });
        await client.connect();
        clients.push(client);
        return client as unknown as ListenerClient;
      },
    });
    try {
      let ticks = 0;
      listener.on('reconnected', () => {
        ticks++;
      });
      await listener.listen('core_pooled', () => {});
      await listener.listen('core_pooled_too', () => {});
      expect(listener.polling).toBe(true);
      expect(listener.connected).toBe(false);
      await expect.poll(() => ticks, { timeout: 2_000, interval: 20 }).toBeGreaterThan(2);
      expect(logger.warnings).toHaveLength(1);
      expect(logger.warnings[0]).toMatch(/listenerConnectionString/);
      // The probe's connection was given back, not kept.
      expect(clients).toHaveLength(1);
      await expect.poll(() => idle(clients[0]!), { timeout: 2_000 }).toBe(true);
    } finally {
      await listener.close();
    }
  });

  it('keeps LISTEN on a direct connection: the probe comes back', async () => {
    const logger = recordingLogger();
    const pgq = db.connect({ logger });
    const received: string[] = [];
    await pgq.listener.listen('core_direct', (payload) => {
      received.push(payload);
    });
    expect(pgq.listener.polling).toBe(false);
    await db.pgq.query(`select pg_notify('core_direct', 'hello')`);
    await expect.poll(() => received, { timeout: 2_000, interval: 10 }).toEqual(['hello']);
    expect(logger.warnings).toEqual([]);
  });

  it('opens the listener on listenerConnectionString, the pool on connectionString', async () => {
    const direct = new URL(db.url);
    direct.searchParams.set('application_name', 'pgq_direct_listener');
    const pgq = db.connect({ listenerConnectionString: direct.toString() });
    await pgq.listener.listen('core_elsewhere', () => {});
    const rows = await db.pgq.query<{ pid: number; application_name: string }>(
      `select pid, application_name from pg_stat_activity where application_name = 'pgq_direct_listener'`,
    );
    expect(rows).toEqual([
      { pid: pgq.listener.backendPid, application_name: 'pgq_direct_listener' },
    ]);
  });
});

describe('named prepared statements lost by a pooler', () => {
  const text = 'select $1::int + 1 as next';

  it('turns them off at the first lost one, warns once and runs the statement unprepared', async () => {
    const logger = recordingLogger();
    const pgq = db.connect({ max: 1, logger });
    expect(await pgq.query(text, [1], { prepare: true })).toEqual([{ next: 2 }]);
    // The pool's one connection forgets its statements, as a server session swapped in by
    // a pooler never knew them: pg still believes it is prepared.
    await pgq.pool.query('deallocate all');
    expect(await pgq.query(text, [2], { prepare: true })).toEqual([{ next: 3 }]);
    expect(await pgq.query(text, [3], { prepare: true })).toEqual([{ next: 4 }]);
    expect(pgq.preparedStatements).toBe(false);
    expect(logger.warnings).toHaveLength(1);
    expect(logger.warnings[0]).toMatch(/preparedStatements: false/);
    const prepared = await pgq.query('select name from pg_prepared_statements');
    expect(prepared).toEqual([]);
  });

  it("does not run it again in the app's transaction, which the error aborted", async () => {
    const pgq = db.connect({ logger: recordingLogger() });
    const client = await pgq.pool.connect();
    try {
      await pgq.query(text, [1], { prepare: true, tx: client });
      await client.query('deallocate all');
      await client.query('begin');
      await expect(pgq.query(text, [2], { prepare: true, tx: client })).rejects.toMatchObject({
        code: SqlState.invalidSqlStatementName,
      });
      await client.query('rollback');
      expect(pgq.preparedStatements).toBe(false);
    } finally {
      client.release();
    }
  });
});

async function idle(client: pg.Client): Promise<boolean> {
  const rows = await db.pgq.query<{ ended: boolean }>(
    'select not exists (select 1 from pg_stat_activity where pid = $1) as ended',
    [(client as unknown as { processID: number }).processID],
  );
  return rows[0]?.ended ?? false;
}
