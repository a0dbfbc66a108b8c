import type { Pgq } from '@pgq/core';
import { appliedVersions } from './migrate.js';
import { latestVersion, migrations } from './migrations.js';
import { schemaObjects } from './objects.js';

/** What `verify()` found. */
export interface VerifyResult {
  /** True when every migration is applied and every object is in place. */
  ok: boolean;
  /** The highest applied migration; 0 when pgq is not installed. */
  installedVersion: number;
  /** The newest migration this package ships. */
  latestVersion: number;
  /** One readable sentence per problem. */
  problems: string[];
}

/**
 * Checks that pgq is fully installed in `pgq.schema`: every migration applied and every
 * table, function and type present. Changes nothing.
 *
 * @example
 * ```ts
 * const { ok, problems } = await verify(pgq);
 * if (!ok) console.error(problems.join('\n'));
 * ```
 */
export async function verify(pgq: Pgq): Promise<VerifyResult> {
  const installed = await appliedVersions(pgq.pool, pgq.schema);
  const installedVersion = Math.max(0, ...installed);
  const problems: string[] = [];
  if (installed.size === 0) {
    problems.push(`pgq is not installed in schema "${pgq.schema}": run \`pgq migrate\``);
  } else {
    for (const { version } of migrations) {
      if (!installed.has(version))
        problems.push(`migration ${version} is not applied: run \`pgq migrate\``);
    }
  }
  const expected = schemaObjects.filter((object) => installed.has(object.version));
  // pg_catalog.format, qualified: format(text, VARIADIC "any") loses to any exact match.
  const { rows } = await pgq.pool.query<{ name: string; present: boolean }>(
    `select name, case kind
        when 'table' then to_regclass(pg_catalog.format('%I.%I', $1::text, name)) is not null
        when 'type' then to_regtype(pg_catalog.format('%I.%I', $1::text, name)) is not null
        else to_regprocedure(pg_catalog.format('%I.%s', $1::text, name)) is not null
      end as present
     from unnest($2::text[], $3::text[]) as object(kind, name)`,
    [pgq.schema, expected.map((object) => object.kind), expected.map((object) => object.name)],
  );
  for (const row of rows) {
    if (!row.present) problems.push(`${row.name} is missing from schema "${pgq.schema}"`);
  }
  return { ok: problems.length === 0, installedVersion, latestVersion, problems };
}
