import type { Pgq } from '@pgq/core';
import { createTestDatabase, type TestDatabase } from '@pgq/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Cache } from '../src/index.js';

let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase();
});

afterAll(async () => {
  await db.dispose();
});

interface PreparedStatement {
  text: string;
  parameters: number;
}

/** Records every named (prepared) statement this pgq's pool runs. */
function recordPrepared(pgq: Pgq): Map<string, PreparedStatement> {
  const prepared = new Map<string, PreparedStatement>();
  const query = pgq.pool.query.bind(pgq.pool) as (...args: unknown[]) => Promise<unknown>;
  (pgq.pool as { query: unknown }).query = (...args: unknown[]) => {
    const config = args[0] as { name?: string; text?: string; values?: unknown[] };
    if (typeof config === 'object' && config.name && config.text) {
      prepared.set(config.name, { text: config.text, parameters: config.values?.length ?? 0 });
    }
    return query(...args);
  };
  return prepared;
}

/** The generic plan (the one a prepared statement keeps once chosen) of each statement. */
async function genericPlans(statements: Map<string, PreparedStatement>): Promise<string[]> {
  const client = await db.pgq.pool.connect();
  try {
    await client.query('set plan_cache_mode = force_generic_plan');
    const plans: string[] = [];
    for (const [index, { text, parameters }] of [...statements.values()].entries()) {
      await client.query(`prepare plan_check_${index} as ${text}`);
      // A generic plan does not depend on the values, so nulls do.
      const nulls = Array.from({ length: parameters }, () => 'null').join(', ');
      const rows = await client.query<{ 'QUERY PLAN': string }>(
        `explain execute plan_check_${index}(${nulls})`,
      );
      plans.push(rows.rows.map((row) => row['QUERY PLAN']).join('\n'));
      await client.query(`deallocate plan_check_${index}`);
    }
    return plans;
  } finally {
    await client.query('reset plan_cache_mode');
    client.release();
  }
}

describe('query plans', () => {
  it('keeps every prepared read and write on the primary key, with or without statistics', async () => {
    const pgq = db.connect();
    const prepared = recordPrepared(pgq);
    const cache = new Cache(pgq, { namespace: 'plans' });
    const exercise = async () => {
      await Promise.all([cache.set('a', 1, 60), cache.set('b', Buffer.from('b'))]);
      await cache.set('c', 3);
      await Promise.all([cache.get('a'), cache.get('b'), cache.get('missing')]);
      await cache.get('a');
      await cache.getMany(['a', 'c']);
      await cache.setMany([['d', 4]], 60);
      await cache.has('a');
      await cache.ttl('a');
      await cache.delete('d');
    };
    const check = async () => {
      const plans = await genericPlans(prepared);
      const tableScans = plans
        .flatMap((plan) => plan.split('\n'))
        .filter((line) => / on cache_entries\b/.test(line) && line.includes('Scan'));
      expect(tableScans.length).toBeGreaterThanOrEqual(5);
      for (const scan of tableScans) {
        expect(scan).toMatch(/Index Scan using cache_entries_pkey on cache_entries/);
      }
      return plans;
    };

    // A fresh, empty table without statistics: where a generic plan is usually chosen.
    await exercise();
    expect(prepared.size).toBeGreaterThanOrEqual(8);
    await check();
    // Grown, still without statistics, then analysed.
    await db.pgq.query(
      `insert into ${db.pgq.table('cache_entries')} (namespace, key, value, expires_at)
       select 'plans', 'row:' || n, '{}', now() + interval '1 hour' from generate_series(1, 5000) n`,
    );
    await check();
    await db.pgq.query(`analyze ${db.pgq.table('cache_entries')}`);
    const plans = await check();
    expect(plans.join('\n')).toMatch(/Conflict Arbiter Indexes: cache_entries_pkey/);
  });
});
