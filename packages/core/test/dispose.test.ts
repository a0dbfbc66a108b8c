import { connect, type Pgq } from '@pgq/core';
import { createTestDatabase, type TestDatabase } from '@pgq/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(() => db.dispose());

// A backend ends a moment after its client hung up: look until it has gone.
async function backendGone(pid: number): Promise<boolean> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    const rows = await db.pgq.query('select 1 from pg_stat_activity where pid = $1', [pid]);
    if (rows.length === 0) return true;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return false;
}

describe('await using', () => {
  it('closes a Pgq as the block exits: the pool ends and the LISTEN connection is gone', async () => {
    let pool: Pgq['pool'];
    let listenerPid: number;
    {
      await using pgq = connect({ connectionString: db.url, schema: db.schema });
      pool = pgq.pool;
      await pgq.listener.listen('dispose_probe', () => {});
      listenerPid = pgq.listener.backendPid!;
      expect(listenerPid).toBeGreaterThan(0);
      await pgq.query('select 1');
    }
    expect(pool.ended).toBe(true);
    expect(pool.totalCount).toBe(0);
    expect(await backendGone(listenerPid)).toBe(true);
  });

  it('closes it when the block throws too', async () => {
    let closed: Pgq | undefined;
    await expect(
      (async () => {
        await using pgq = connect({ connectionString: db.url, schema: db.schema });
        closed = pgq;
        await pgq.query('select 1');
        throw new Error('boom');
      })(),
    ).rejects.toThrow('boom');
    expect(closed?.closed).toBe(true);
    expect(closed?.pool.ended).toBe(true);
  });
});
