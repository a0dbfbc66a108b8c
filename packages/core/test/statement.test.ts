import { connect, type Pgq } from '@pgq/core';
import { Statement } from '@pgq/core/internal';
import { createTestDatabase, type TestDatabase } from '@pgq/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(() => db.dispose());

/** The statements this pool's one connection holds prepared. */
const preparedTexts = async (pgq: Pgq): Promise<string[]> =>
  (
    await pgq.query<{ statement: string }>(
      `select statement from pg_prepared_statements where name like 'pgq\\_%'`,
    )
  ).map((row) => row.statement);

describe('Statement', () => {
  it('builds its text once per Pgq, with that Pgq’s schema', async () => {
    let builds = 0;
    const statement = new Statement((pgq) => {
      builds++;
      return `select count(*)::int as queues from ${pgq.table('queues')}`;
    });
    const other = connect({ connectionString: db.url, schema: 'other_schema' }); // opens nothing
    expect(statement.text(db.pgq)).toBe(statement.text(db.pgq));
    expect(statement.text(other)).toContain('"other_schema"');
    expect(builds).toBe(2);
    await other.close();
  });

  it('runs prepared, unless its batch is over preparedUpTo', async () => {
    const pgq = db.connect({ max: 1 });
    const fixed = new Statement(() => 'select $1::int + 1 as next');
    const batched = new Statement(
      () => 'select count(*)::int as rows from pg_catalog.unnest($1::int[])',
      { preparedUpTo: 3 },
    );
    expect(await fixed.query(pgq, [1])).toEqual([{ next: 2 }]);
    expect(await batched.query(pgq, [[1, 2, 3, 4]], { batch: 4 })).toEqual([{ rows: 4 }]);
    expect(await preparedTexts(pgq)).toEqual([fixed.text(pgq)]);
    expect(await batched.query(pgq, [[1, 2, 3]], { batch: 3 })).toEqual([{ rows: 3 }]);
    expect((await preparedTexts(pgq)).sort()).toEqual([batched.text(pgq), fixed.text(pgq)].sort());
    await pgq.close();
  });

  it('prepares up to 10 rows by default, what a generic plan assumes an unnest yields', async () => {
    const pgq = db.connect({ max: 1 });
    const batched = new Statement(() => 'select pg_catalog.cardinality($1::int[]) as rows');
    const eleven = Array.from({ length: 11 }, (_, index) => index);
    await batched.query(pgq, [eleven], { batch: eleven.length });
    expect(await preparedTexts(pgq)).toEqual([]);
    await batched.query(pgq, [eleven.slice(1)], { batch: 10 });
    expect(await preparedTexts(pgq)).toEqual([batched.text(pgq)]);
    await pgq.close();
  });

  it('runs prepared in a transaction on a pg client too', async () => {
    const pgq = db.connect({ max: 1 });
    const statement = new Statement(() => 'select $1::text as value');
    const client = await pgq.pool.connect();
    try {
      await client.query('begin');
      expect(await statement.query(pgq, ['in tx'], { tx: client })).toEqual([{ value: 'in tx' }]);
      const { rows } = await client.query<{ statement: string }>(
        `select statement from pg_prepared_statements where name like 'pgq\\_%'`,
      );
      expect(rows.map((row) => row.statement)).toEqual([statement.text(pgq)]);
      await client.query('rollback');
    } finally {
      client.release();
    }
    await pgq.close();
  });
});
