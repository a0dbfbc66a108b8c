import type { Pgq } from '@pgq/core';

/** pgq's data tables, whose row counts a refused call must leave as they were. */
const dataTables = [
  'queues',
  'jobs',
  'job_archive',
  'workers',
  'schedules',
  'pubsub_payloads',
  'cache_entries',
  'rpc_replies',
] as const;

/** Rows per pgq table, catalog objects in the schema, and objects named with the marker. */
export type SchemaSnapshot = Record<
  (typeof dataTables)[number] | 'relations' | 'functions' | 'types' | 'policies' | 'marked',
  number
>;

/**
 * What a test schema holds, in numbers: rows per pgq table and catalog objects (relations,
 * functions, types, policies) in the schema, plus anything anywhere in the database whose name
 * starts with `marker`. Fuzzed names carry statements that would create such objects; a name
 * that got spliced into SQL unquoted shows up here as a change.
 *
 * @example
 * ```ts
 * const before = await schemaSnapshot(pgq, 'pgq_fuzz_pwned');
 * // ... feed hostile names ...
 * expect(await schemaSnapshot(pgq, 'pgq_fuzz_pwned')).toEqual(before);
 * ```
 */
export async function schemaSnapshot(pgq: Pgq, marker: string): Promise<SchemaSnapshot> {
  const counts = dataTables
    .map((table) => `(select count(*) from ${pgq.table(table)})::int as ${table}`)
    .join(', ');
  const [rows] = await pgq.query<Record<string, number>>(`select ${counts}`);
  const [catalog] = await pgq.query<Record<string, number>>(
    `select
       (select count(*) from pg_class c join pg_namespace n on n.oid = c.relnamespace
         where n.nspname = $1)::int as relations,
       (select count(*) from pg_proc p join pg_namespace n on n.oid = p.pronamespace
         where n.nspname = $1)::int as functions,
       (select count(*) from pg_type t join pg_namespace n on n.oid = t.typnamespace
         where n.nspname = $1)::int as types,
       (select count(*) from pg_policy p join pg_class c on c.oid = p.polrelid
         join pg_namespace n on n.oid = c.relnamespace where n.nspname = $1)::int as policies,
       ((select count(*) from pg_class where starts_with(relname, $2))
        + (select count(*) from pg_namespace where starts_with(nspname, $2))
        + (select count(*) from pg_proc where starts_with(proname, $2))
        + (select count(*) from pg_roles where starts_with(rolname, $2)))::int as marked`,
    [pgq.schema, marker],
  );
  return { ...rows, ...catalog } as SchemaSnapshot;
}
