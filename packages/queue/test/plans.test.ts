import { createTestDatabase, type TestDatabase } from '@pgq/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
    const client = await db.pgq.pool.connect();
    try {
      await client.query('set plan_cache_mode = force_generic_plan');
      await client.query(
        `prepare claim(text, int) as
         select id from ${db.pgq.table('jobs')}
          where queue = $1 and state = 'pending' and run_at <= now()
          order by priority desc, run_at, id limit $2 for update skip locked`,
      );
      const { rows } = await client.query(`explain execute claim('plans', 16)`);
      const plan = rows.map((row: Record<string, string>) => row['QUERY PLAN']).join('\n');
      expect(plan).not.toMatch(/Sort/);
      expect(plan).toMatch(/queue_priority_run_at_id_idx/);
    } finally {
      client.release();
    }
  });
});
