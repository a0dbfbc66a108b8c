-- pgq core: the schema, migration bookkeeping and the channel naming rule.
-- Apply with psql:  psql -v schema=pgq -f 0001_core.sql  (then 0002, 0003, ... in order)

create schema if not exists :"schema";

create table if not exists :"schema".migrations (
  version int primary key,
  name text not null,
  applied_at timestamptz not null default now()
);

-- NOTIFY channel names are identifiers (63 bytes at most): a longer one is hashed.
-- Mirrors Pgq.channel() in @pgq/core; the two must agree.
create function :"schema".channel(schema_name text, name text) returns text
language sql immutable parallel safe
as $$
  select case
    when octet_length(schema_name || '.' || name) <= 63 then schema_name || '.' || name
    else 'pgq_' || left(encode(sha256(convert_to(schema_name || '.' || name, 'UTF8')), 'hex'), 40)
  end
$$;

insert into :"schema".migrations (version, name) values (1, '0001_core');
