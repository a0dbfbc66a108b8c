import { connect, InvalidNameError, NotInstalledError, PgqError, ValidationError } from '@pgq/core';
import { createTestDatabase, type TestDatabase } from '@pgq/testing';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(() => db.dispose());

describe('connect', () => {
  it('types every pgq table through pgq.db, scoped to the schema', async () => {
    await db.pgq.query(`select ${db.pgq.quotedSchema}.create_queue('typed')`);
    const queues = await db.pgq.db.selectFrom('queues').select(['name', 'max_attempts']).execute();
    expect(queues).toEqual([{ name: 'typed', max_attempts: 3 }]);
  });

  it('uses a given pool and leaves it open on close()', async () => {
    const pool = new pg.Pool({ connectionString: db.url, max: 2 });
    const pgq = connect({ pool, schema: db.schema });
    expect(pgq.pool).toBe(pool);
    await pgq.close();
    const rows = await pool.query('select 1 as one');
    expect(rows.rows).toEqual([{ one: 1 }]);
    await pool.end();
  });

  it('reads PGQ_DATABASE_URL before DATABASE_URL', async () => {
    const saved = { pgq: process.env.PGQ_DATABASE_URL, database: process.env.DATABASE_URL };
    process.env.PGQ_DATABASE_URL = db.url;
    process.env.DATABASE_URL = 'postgres://nobody@127.0.0.1:1/none';
    try {
      const pgq = connect({ schema: db.schema });
      await expect(pgq.query('select 1 as one')).resolves.toEqual([{ one: 1 }]);
      await pgq.close();
    } finally {
      process.env.PGQ_DATABASE_URL = saved.pgq;
      process.env.DATABASE_URL = saved.database;
      if (saved.pgq === undefined) delete process.env.PGQ_DATABASE_URL;
    }
  });

  it('rejects a bad schema name before connecting', () => {
    expect(() => connect({ connectionString: db.url, schema: 'Bad Schema' })).toThrow(
      expect.objectContaining({ code: 'PGQ_INVALID_NAME' }),
    );
  });

  // Issue 26: pgq's tables among PostgreSQL's own, where every unqualified name looks first.
  it.each(['pg_catalog', 'pg_toast', 'pg_temp', 'information_schema'])(
    'refuses the system schema %s before connecting',
    (schema) => {
      const attempt = () =>
        connect({ connectionString: 'postgres://nobody@127.0.0.1:1/x', schema });
      expect(attempt).toThrow(InvalidNameError);
      expect(attempt).toThrow(`Invalid schema name "${schema}": is a system schema`);
    },
  );

  it('takes maxValueBytes from 1 to 268,435,455 bytes, 1 MiB by default', async () => {
    const pgq = connect({ connectionString: db.url, schema: db.schema });
    const roomy = connect({ connectionString: db.url, schema: db.schema, maxValueBytes: 8 << 20 });
    expect(pgq.maxValueBytes).toBe(1_048_576);
    expect(roomy.maxValueBytes).toBe(8 << 20);
    await Promise.all([pgq.close(), roomy.close()]);
    for (const maxValueBytes of [0, -1, 1.5, 268_435_456, Number.NaN]) {
      expect(() => connect({ connectionString: db.url, maxValueBytes })).toThrow(ValidationError);
    }
  });
});

describe('NotInstalledError', () => {
  it('is thrown for a schema that was never migrated, and says to run pgq migrate', async () => {
    const bare = connect({ connectionString: db.url, schema: 'never_migrated_here' });
    try {
      const error = await bare
        .query(`select * from ${bare.table('queues')}`)
        .catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(NotInstalledError);
      expect(PgqError.isInstance(error) && error.message).toMatch(/pgq migrate/);
    } finally {
      await bare.close();
    }
  });
});

describe('query', () => {
  it('refuses a text of several statements with a ValidationError, not a crash', async () => {
    const error = await db.pgq.query('select 1; select 2').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as Error).message).toMatch(/one statement per query; this text held 2/);
  });
});

describe('channel names', () => {
  it('agree with the SQL channel() function, long names included', async () => {
    for (const name of ['jobs', 'x'.repeat(60)]) {
      const rows = await db.pgq.query<{ channel: string }>(
        `select ${db.pgq.quotedSchema}.channel($1, $2) as channel`,
        [db.schema, name],
      );
      expect(rows[0]?.channel).toBe(db.pgq.channel(name));
      expect(Buffer.byteLength(db.pgq.channel(name))).toBeLessThanOrEqual(63);
    }
  });
});

describe('{ tx }', () => {
  it('commits and rolls back with a Kysely transaction', async () => {
    const kysely = new Kysely<any>({ dialect: new PostgresDialect({ pool: db.pgq.pool }) });
    await db.pgq.query(`create table ${db.pgq.table('tx_probe')} (value text)`);
    const insert = `insert into ${db.pgq.table('tx_probe')} (value) values ($1)`;
    await kysely.transaction().execute(async (tx) => {
      await db.pgq.query(insert, ['kept'], { tx });
    });
    await kysely
      .transaction()
      .execute(async (tx) => {
        await db.pgq.query(insert, ['dropped'], { tx });
        throw new Error('roll back');
      })
      .catch(() => {});
    const rows = await db.pgq.query(`select value from ${db.pgq.table('tx_probe')}`);
    expect(rows).toEqual([{ value: 'kept' }]);
  });

  it('commits and rolls back with a pg client inside BEGIN', async () => {
    await db.pgq.query(`create table ${db.pgq.table('tx_probe_pg')} (value text)`);
    const insert = `insert into ${db.pgq.table('tx_probe_pg')} (value) values ($1)`;
    const client = await db.pgq.pool.connect();
    try {
      await client.query('begin');
      await db.pgq.query(insert, ['dropped'], { tx: client });
      await client.query('rollback');
      await client.query('begin');
      await db.pgq.query(insert, ['kept'], { tx: client });
      await client.query('commit');
    } finally {
      client.release();
    }
    const rows = await db.pgq.query(`select value from ${db.pgq.table('tx_probe_pg')}`);
    expect(rows).toEqual([{ value: 'kept' }]);
  });
});

describe('prepared statements', () => {
  const preparedNames = async (pgq: ReturnType<typeof connect>) =>
    (await pgq.query<{ name: string }>('select name from pg_prepared_statements')).map(
      (row) => row.name,
    );

  it('prepares a statement once per connection when asked', async () => {
    const pgq = db.connect({ max: 1 });
    const text = 'select $1::int + 1 as next';
    expect(await pgq.query(text, [1], { prepare: true })).toEqual([{ next: 2 }]);
    expect(await pgq.query(text, [2], { prepare: true })).toEqual([{ next: 3 }]);
    const names = (await preparedNames(pgq)).filter((name) => name.startsWith('pgq_'));
    expect(names).toHaveLength(1);
  });

  it('runs unprepared when turned off for a pooler', async () => {
    const pgq = db.connect({ max: 1, preparedStatements: false });
    expect(await pgq.query('select $1::int as value', [5], { prepare: true })).toEqual([
      { value: 5 },
    ]);
    expect(await preparedNames(pgq)).toEqual([]);
  });
});
