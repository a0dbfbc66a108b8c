import { createTestDatabase, type TestDatabase } from '@pgq/testing';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Queue } from '../src/index.js';

let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(() => db.dispose());

// pg-boss's fetch degrades to a sort of the whole queue when the table has no statistics
// yet; the claim must read the claim index in order instead, without any ANALYZE.
describe('query plans on a queue with no statistics', () => {
  it('claims through the claim index without sorting the waiting jobs', async () => {
    const queue = new Queue(db.pgq, 'plans');
    await queue.create();
    await db.pgq.query(
      `insert into ${db.pgq.table('jobs')} (queue, payload, max_attempts)
       select 'plans', '{}'::jsonb, 3 from generate_series(1, 20000)`,
    );
    // The worker's own claim statement, as it prepares it.
    const execute = vi.spyOn(db.pgq, 'execute');
    let claimCall: Parameters<typeof db.pgq.execute> | undefined;
    try {
      await queue.dequeueMany(1);
      claimCall = execute.mock.calls.find(([text]) => /skip locked/.test(text));
    } finally {
      execute.mockRestore();
    }
    const [text, , options] = claimCall ?? [];
    expect(options?.prepare).toBe(true);
    const client = await db.pgq.pool.connect();
    try {
      await client.query('set plan_cache_mode = force_generic_plan');
      await client.query(`prepare claim(text, int, int, text, jsonb) as ${text}`);
      const { rows } = await client.query(`explain execute claim('plans', 16, null, 'w', null)`);
      const plan = rows.map((row: Record<string, string>) => row['QUERY PLAN']).join('\n');
      // The one sort merges the candidates (at most 16 pending, 16 with an expired lease).
      expect(plan.match(/Sort Key: .*/g)).toEqual([
        'Sort Key: pending.priority DESC, pending.run_at, pending.id',
      ]);
      expect(plan).toMatch(/queue_priority_run_at_id_idx/);
      expect(plan).toMatch(/queue_lease_expires_at_idx/);
      // The look-ahead reads the first entry of the index of scheduled jobs, and an empty
      // claim's check for a due row held elsewhere reads the claim index again: no Sort, no
      // scan of the whole partition.
      expect(plan).toMatch(/queue_run_at_idx/);
      expect(plan).not.toMatch(/Seq Scan/);
    } finally {
      await client.query('deallocate claim').catch(() => {});
      client.release();
    }
  });

  it('completes a batch of 500 with a plan linear in the batch, not one row against all', async () => {
    const queue = new Queue(db.pgq, 'plans_complete');
    await queue.create();
    await queue.enqueueMany(Array.from({ length: 2_000 }, (_, n) => ({ n })));
    const jobs = await queue.dequeueMany(1_000);
    // Warm the named statement up with small batches, as a worker at low load would.
    for (const job of jobs.slice(0, 20)) await queue.complete(job);
    const batch = jobs.slice(20, 520);
    const execute = vi.spyOn(db.pgq, 'execute');
    let captured: { text: string; values: readonly unknown[]; prepare?: boolean } | undefined;
    execute.mockImplementationOnce(async (text, values = [], options = {}) => {
      captured = { text, values, prepare: options.prepare };
      return { rows: [], rowCount: 0 };
    });
    try {
      await queue.completeMany(batch);
    } finally {
      execute.mockRestore();
    }
    expect(captured?.text).toMatch(/delete from/);
    expect(captured?.prepare).toBe(false);
    const client = await db.pgq.pool.connect();
    try {
      await client.query('begin');
      const { rows } = await client.query(
        `explain (analyze, format json) ${captured!.text}`,
        captured!.values as unknown[],
      );
      await client.query('rollback');
      const removed = [...JSON.stringify(rows).matchAll(/"Rows Removed by Join Filter":(\d+)/g)];
      for (const [, count] of removed) expect(Number(count)).toBeLessThan(batch.length * 4);
      expect(JSON.stringify(rows)).toMatch(/"Actual Rows":500/);
    } finally {
      client.release();
    }
  });

  it('indexes as scheduled only the jobs that wait for a time, also when enqueued in a transaction', async () => {
    const queue = new Queue(db.pgq, 'plans_scheduled');
    await queue.create();
    await queue.enqueueMany([{ n: 1 }, { n: 2 }]);
    await queue.enqueue({ n: 3 }, { runAt: new Date(Date.now() - 60_000) });
    const later = await queue.enqueue({ n: 4 }, { delayMs: 60_000 });
    const client = await db.pgq.pool.connect();
    try {
      await client.query('begin');
      // now() is the transaction's start: later statements must not look scheduled.
      await client.query('select pg_sleep(0.01)');
      await queue.enqueue({ n: 5 }, { tx: client });
      await client.query('commit');
    } finally {
      client.release();
    }
    const rows = await db.pgq.query<{ id: string }>(
      `select id::text as id from ${db.pgq.table('jobs')}
        where queue = 'plans_scheduled' and state = 'pending' and run_at > created_at`,
    );
    expect(rows.map((row) => row.id)).toEqual([later.id]);
  });
});
