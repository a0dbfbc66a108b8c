import { on } from 'node:events';
import { createTestDatabase, type TestDatabase } from '@pgq/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { Cache } from '../src/index.js';

let db: TestDatabase;
const caches: Cache[] = [];

function cache(options: ConstructorParameters<typeof Cache>[1], pgq = db.pgq): Cache {
  const made = new Cache(pgq, options);
  caches.push(made);
  return made;
}

async function insertRows(
  namespace: string,
  count: number,
  expiresIn: string | null,
): Promise<void> {
  await db.pgq.query(
    `insert into ${db.pgq.table('cache_entries')} (namespace, key, value, expires_at)
     select $1, 'key-' || n, '1', now() + $3::interval
       from generate_series(1, $2::int) as n`,
    [namespace, count, expiresIn],
  );
}

async function countRows(): Promise<{ expired: number; live: number }> {
  const [row] = await db.pgq.query<{ expired: number; live: number }>(
    `select count(*) filter (where expires_at <= now())::int as expired,
            count(*) filter (where expires_at is null or expires_at > now())::int as live
       from ${db.pgq.table('cache_entries')}`,
  );
  return row!;
}

beforeAll(async () => {
  db = await createTestDatabase();
});

afterEach(async () => {
  for (const made of caches.splice(0)) {
    expect(made.running, `cache ${made.namespace} was left running`).toBe(false);
  }
  await db.pgq.query(`truncate ${db.pgq.table('cache_entries')}`);
});

afterAll(async () => {
  await db.dispose();
});

describe('sweeper', () => {
  it('deletes expired rows of every namespace in bounded batches, and leaves live ones', async () => {
    await insertRows('one', 250, '-1 second');
    await insertRows('two', 40, '-1 millisecond');
    await insertRows('live', 30, '1 hour');
    await insertRows('forever', 5, null);
    const sweeping = cache({ namespace: 'one', sweepBatchSize: 100 });
    expect(await sweeping.sweep()).toBe(290);
    expect(await countRows()).toEqual({ expired: 0, live: 35 });
    expect(await sweeping.sweep()).toBe(0);
  });

  it('lets several processes sweep at once without fighting: each row is deleted once', async () => {
    await insertRows('crowded', 3000, '-1 second');
    await insertRows('crowded-live', 10, '1 hour');
    const pools = [db.pgq, db.connect(), db.connect()];
    const sweepers = pools.map((pgq) => cache({ namespace: 'crowded', sweepBatchSize: 50 }, pgq));
    const counts = await Promise.all(sweepers.map((sweeper) => sweeper.sweep()));
    expect(counts.reduce((sum, count) => sum + count, 0)).toBe(3000);
    expect(await countRows()).toEqual({ expired: 0, live: 10 });
  });

  it('runs in the background once started, on an unref-ed timer, and stops cleanly', async () => {
    const background = cache({ namespace: 'bg', sweepIntervalMs: 20, sweepBatchSize: 10 });
    await background.set('expires', 1, 0.001);
    await background.set('stays', 2, 60);
    await insertRows('other', 25, '-1 second');
    const timersBefore = activeTimers();
    await background.start();
    expect(background.running).toBe(true);
    // The sweeper's timer does not keep the process alive.
    expect(activeTimers()).toBe(timersBefore);
    await background.start(); // idempotent

    let swept = 0;
    const events = on(background, 'swept');
    for await (const [count] of events) {
      swept += count as number;
      if (swept >= 26) break;
    }
    expect(swept).toBe(26);
    expect(await countRows()).toEqual({ expired: 0, live: 1 });
    expect((await background.stats()).expired).toBe(0);

    // Later expiries are picked up by later sweeps.
    await insertRows('later', 3, '-1 second');
    for await (const [count] of on(background, 'swept')) {
      if ((count as number) > 0) {
        expect(count).toBe(3);
        break;
      }
    }
    await background.stop();
    expect(background.running).toBe(false);
    await background.stop(); // idempotent
    await insertRows('after-stop', 2, '-1 second');
    expect(await countRows()).toEqual({ expired: 2, live: 1 });
  });

  it('reports a failing sweep as an error event and keeps going', async () => {
    const bare = await createTestDatabase({ migrate: false });
    try {
      const broken = new Cache(bare.pgq, { sweepIntervalMs: 10 });
      caches.push(broken);
      const errors: Error[] = [];
      const twoErrors = new Promise<void>((resolve) => {
        broken.on('error', (error) => {
          errors.push(error);
          if (errors.length === 2) resolve();
        });
      });
      await broken.start();
      await twoErrors;
      await broken.stop();
      expect(errors[0]).toMatchObject({ code: 'PGQ_NOT_INSTALLED' });
    } finally {
      await bare.dispose();
    }
  });

  it('stops by itself when the app closes pgq without stopping it', async () => {
    const closing = db.connect();
    const orphan = cache({ sweepIntervalMs: 10 }, closing);
    const firstSweep = new Promise((resolve) => orphan.once('swept', resolve));
    await orphan.start();
    await firstSweep;
    await closing.close();
    await vi.waitFor(() => expect(orphan.running).toBe(false));
  });
});

function activeTimers(): number {
  return process.getActiveResourcesInfo().filter((resource) => resource === 'Timeout').length;
}
