import { randomBytes } from 'node:crypto';
import { connect, type Pgq } from '@pgq/core';
import { afterEach, describe, expect, it } from 'vitest';
import { latestVersion, migrate, migrations, uninstall, verify } from '../src/index.js';

const opened: Pgq[] = [];

function open(schema: string): Pgq {
  const pgq = connect({ connectionString: process.env.DATABASE_URL, schema });
  opened.push(pgq);
  return pgq;
}

function freshSchema(): string {
  return `test_${randomBytes(6).toString('hex')}`;
}

async function catalog(pgq: Pgq): Promise<string[]> {
  const rows = await pgq.query<{ object: string }>(
    `select 'relation ' || c.relname || ' ' || c.relkind::text || ' ' || c.relpersistence::text as object
       from pg_class c where c.relnamespace = $1::regnamespace
     union all
     select 'column ' || c.relname || '.' || a.attname || ' ' || format_type(a.atttypid, a.atttypmod)
       from pg_attribute a join pg_class c on c.oid = a.attrelid
      where c.relnamespace = $1::regnamespace and a.attnum > 0 and not a.attisdropped
     union all
     select 'function ' || p.oid::regprocedure::text || ' ' || md5(p.prosrc)
       from pg_proc p where p.pronamespace = $1::regnamespace
     union all
     select 'trigger ' || t.tgname from pg_trigger t join pg_class c on c.oid = t.tgrelid
      where c.relnamespace = $1::regnamespace and not t.tgisinternal
     union all
     select 'constraint ' || c.relname || '.' || k.conname || ' ' || pg_get_constraintdef(k.oid)
       from pg_constraint k join pg_class c on c.oid = k.conrelid
      where c.relnamespace = $1::regnamespace
     order by 1`,
    [pgq.schema],
  );
  // Names print schema-qualified when the schema is not on the search path.
  return rows.map((row) => row.object.replaceAll(pgq.schema, '<schema>'));
}

afterEach(async () => {
  for (const pgq of opened.splice(0)) {
    await pgq.query(`drop schema if exists ${pgq.quotedSchema} cascade`);
    await pgq.close();
  }
});

describe('migrate', () => {
  it('installs every migration once; a second run is a no-op that changes nothing', async () => {
    const pgq = open(freshSchema());
    const first = await migrate(pgq);
    expect(first.applied.map((migration) => migration.version)).toEqual(
      migrations.map((migration) => migration.version),
    );
    const before = await catalog(pgq);
    const second = await migrate(pgq);
    expect(second.applied).toEqual([]);
    expect(second.version).toBe(latestVersion);
    expect(await catalog(pgq)).toEqual(before);
    expect(before.length).toBeGreaterThan(20);
  });

  it('5 concurrent migrate() calls from separate pools end with one correct schema', async () => {
    const schema = freshSchema();
    const pools = Array.from({ length: 5 }, () => open(schema));
    const results = await Promise.all(pools.map((pgq) => migrate(pgq)));
    const appliedCounts = results.map((result) => result.applied.length).sort();
    expect(appliedCounts).toEqual([0, 0, 0, 0, migrations.length]);
    expect(await verify(pools[0]!)).toMatchObject({ ok: true, installedVersion: latestVersion });
    const reference = open(freshSchema());
    await migrate(reference);
    const normalise = (objects: string[]) => objects.join('\n');
    expect(normalise(await catalog(pools[0]!))).toBe(normalise(await catalog(reference)));
  });

  it('rolls back a failed migration whole and says which one failed', async () => {
    const pgq = open(freshSchema());
    // A table in the way of migration 2 makes it fail after migration 1 ran in the same transaction.
    await pgq.query(`create schema ${pgq.quotedSchema}`);
    await pgq.query(`create table ${pgq.quotedSchema}.queues (x int)`);
    await expect(migrate(pgq)).rejects.toMatchObject({
      code: 'PGQ_MIGRATION_FAILED',
      message: /0002_queue/,
    });
    const rows = await pgq.query(`select to_regclass($1) as migrations`, [
      `${pgq.schema}.migrations`,
    ]);
    expect(rows[0]).toEqual({ migrations: null });
  });
});

describe('verify', () => {
  it('reports a schema that is not installed', async () => {
    const pgq = open(freshSchema());
    const result = await verify(pgq);
    expect(result).toMatchObject({ ok: false, installedVersion: 0, latestVersion });
    expect(result.problems.join('\n')).toMatch(/not installed.*pgq migrate/);
  });

  it('reports a partial install: a missing table and a missing migration', async () => {
    const pgq = open(freshSchema());
    await migrate(pgq);
    await pgq.query(`drop table ${pgq.table('cache_entries')}`);
    await pgq.query(`delete from ${pgq.table('migrations')} where version = $1`, [latestVersion]);
    const result = await verify(pgq);
    expect(result.ok).toBe(false);
    expect(result.installedVersion).toBe(migrations.at(-2)!.version);
    expect(result.problems).toContain(`cache_entries is missing from schema "${pgq.schema}"`);
    expect(
      result.problems.some((problem) =>
        problem.startsWith(`migration ${latestVersion} is not applied`),
      ),
    ).toBe(true);
  });
});

describe('uninstall', () => {
  it('leaves nothing behind in a dedicated schema', async () => {
    const pgq = open(freshSchema());
    await migrate(pgq);
    await pgq.query(`select ${pgq.quotedSchema}.create_queue('emails')`);
    await uninstall(pgq);
    const rows = await pgq.query<{ count: number }>(
      `select count(*)::int as count from pg_namespace where nspname = $1`,
      [pgq.schema],
    );
    expect(rows[0]?.count).toBe(0);
    expect((await verify(pgq)).installedVersion).toBe(0);
  });

  it("keeps the app's own objects in a shared schema", async () => {
    const pgq = open(freshSchema());
    await migrate(pgq);
    await pgq.query(`create table ${pgq.table('app_users')} (id int)`);
    await uninstall(pgq);
    expect(await catalog(pgq)).toEqual(['column app_users.id integer', 'relation app_users r p']);
  });
});

describe('two schemas side by side', () => {
  it('do not see each other', async () => {
    const left = open(freshSchema());
    const right = open(freshSchema());
    await Promise.all([migrate(left), migrate(right)]);
    await left.query(`select ${left.quotedSchema}.create_queue('emails')`);
    const leftQueues = await left.db.selectFrom('queues').select('name').execute();
    const rightQueues = await right.db.selectFrom('queues').select('name').execute();
    expect(leftQueues).toEqual([{ name: 'emails' }]);
    expect(rightQueues).toEqual([]);
  });
});
