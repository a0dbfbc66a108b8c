import { describe, expect, it } from 'vitest';
import { migrations, renderMigration } from '../src/index.js';

// psql fills in :"schema" only outside quotes and dollar-quoted bodies; the runner fills it
// in everywhere. The two agree only if no placeholder sits inside a $$ body.
describe('migration files', () => {
  it.each(migrations.map((migration) => [migration.name, migration.sql] as const))(
    '%s keeps its placeholders outside $$ bodies and records its own version',
    (name, sql) => {
      const bodies = sql.split('$$').filter((_, index) => index % 2 === 1);
      for (const body of bodies) expect(body).not.toMatch(/:"schema"|:'schema'/);
      const version = Number(name.slice(0, 4));
      expect(sql).toContain(`values (${version}, '${name}')`);
    },
  );

  it('quotes the schema when rendering', () => {
    expect(renderMigration(`create table :"schema".t (); select :'schema';`, 'we"ird')).toBe(
      `create table "we""ird".t (); select 'we"ird';`,
    );
  });
});
