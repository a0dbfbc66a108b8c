// Migration 0007 (issue 26) on an install that already holds what a hostile producer or worker
// wrote before it: it must apply, repair those rows so the queue runs again, and refuse them
// from then on.
import { randomBytes } from 'node:crypto';
import { connect, type Pgq, SqlState, sqlStateOf } from '@pgq/core';
import { afterEach, expect, it } from 'vitest';
import { migrate, migrations, renderMigration, verify } from '../src/index.js';

const opened: Pgq[] = [];

afterEach(async () => {
  for (const pgq of opened.splice(0)) {
    await pgq.query(`drop schema if exists ${pgq.quotedSchema} cascade`);
    await pgq.close();
  }
});

/** A schema with the migrations before 0007 applied, as an install from before it has. */
async function installedBefore0007(): Promise<Pgq> {
  const pgq = connect({
    connectionString: process.env.DATABASE_URL,
    schema: `test_${randomBytes(6).toString('hex')}`,
  });
  opened.push(pgq);
  for (const migration of migrations.filter(({ version }) => version < 7)) {
    await pgq.pool.query(renderMigration(migration.sql, pgq.schema));
  }
  return pgq;
}

it('repairs the rows that stopped a queue, moves the sequence past planted ids, then refuses them', async () => {
  const pgq = await installedBefore0007();
  await pgq.query(`select ${pgq.quotedSchema}.create_queue('work')`);
  const jobs = pgq.table('jobs');
  // What every claim computes for an idle worker's timer.
  const nextRunMs = async () => {
    const [row] = await pgq
      .query<{ ms: number }>(
        `select (extract(epoch from min(run_at) - statement_timestamp()) * 1000)::float8 as ms
           from ${jobs}`,
      )
      .catch(() => [{ ms: Number.NaN }]);
    return row!.ms;
  };
  const insert = (columns: string, values: string) =>
    pgq.query<{ id: string }>(
      `insert into ${jobs} (queue, payload, max_attempts, ${columns}) values ('work', '{}', 3, ${values}) returning id`,
    );
  const [never] = await insert('run_at', `'infinity'`);
  const [early] = await insert('run_at', `'-infinity'`);
  const [unrescued] = await insert(
    'state, attempts, lease_token, lease_expires_at, started_at',
    `'active', 9, gen_random_uuid(), 'infinity', '-infinity'`,
  );
  const [leaseless] = await insert('state, attempts', `'active', 1`);
  const [overflowing] = await insert(
    'attempts, worker_id, last_error',
    `2147483647, repeat('w', 5000), (select jsonb_build_object('message', string_agg(md5(n::text), ''))
       from generate_series(1, 5000) n)`,
  );
  const planted = '1000000';
  await insert('id', planted);
  await pgq.query(
    `insert into ${pgq.table('workers')} values ('forever', 'h', 1, '{work}', 'infinity', '-infinity')`,
  );
  // Before 0007 every claim failed on the infinite run_at (PostgreSQL 16 and older: `cannot
  // subtract infinite timestamps`; 17 computes an infinite wait): the whole queue stopped.
  expect(await nextRunMs()).not.toSatisfy(Number.isFinite);

  await migrate(pgq);
  expect(await verify(pgq)).toMatchObject({ ok: true });
  const rows = await pgq.query<Record<string, unknown>>(
    `select id::text, state::text, run_at, attempts, lease_expires_at <= now() as expired,
            started_at <= now() as started, octet_length(worker_id) as worker_id_bytes,
            pg_column_size(last_error) <= 65536 as error_fits
       from ${jobs} where id = any($1::bigint[]) order by id`,
    [[never, early, unrescued, leaseless, overflowing].map((row) => row!.id)],
  );
  expect(rows).toEqual([
    expect.objectContaining({ run_at: new Date('9999-12-31T23:59:59.999Z') }),
    expect.objectContaining({ run_at: new Date(0) }),
    expect.objectContaining({ state: 'active', attempts: 3, expired: true, started: true }),
    expect.objectContaining({ state: 'active', attempts: 1, expired: true }),
    expect.objectContaining({ attempts: 2, worker_id_bytes: 256, error_fits: true }),
  ]);
  expect(await pgq.query(`select id from ${pgq.table('workers')}`)).toEqual([]);

  // The queue runs again, and the next enqueue takes an id past the planted one.
  expect(await nextRunMs()).toSatisfy(Number.isFinite);
  const [next] = await pgq.query<{ id: string }>(
    `insert into ${jobs} (queue, payload, max_attempts) values ('work', '{}', 3) returning id`,
  );
  expect(BigInt(next!.id)).toBeGreaterThan(BigInt(planted));

  for (const [set, id] of [
    [`run_at = 'infinity'`, never!.id],
    [`lease_expires_at = 'infinity'`, unrescued!.id],
    ['attempts = 0', unrescued!.id],
  ] as const) {
    const error = await pgq.query(`update ${jobs} set ${set} where id = $1`, [id]).catch((e) => e);
    expect(sqlStateOf(error)).toBe(SqlState.checkViolation);
  }
});
