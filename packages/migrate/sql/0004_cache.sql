-- pgq cache: UNLOGGED, so writes skip the WAL: fast, but the table is emptied by a crash
-- (and on failover) and is not replicated to standbys. Right for a cache, wrong for data.

create unlogged table :"schema".cache_entries (
  namespace text not null,
  key text not null,
  -- JSON text of the value, or null when the value is bytes (then `bytes` holds it).
  value text,
  bytes bytea,
  -- null: never expires. Reads treat expires_at <= now() as gone, swept or not.
  expires_at timestamptz,
  updated_at timestamptz not null default now(),
  primary key (namespace, key),
  check ((value is null) <> (bytes is null))
);

-- The sweeper's range scan over expired rows of every namespace.
create index cache_entries_expires on :"schema".cache_entries (expires_at)
  where expires_at is not null;

-- maxEntries eviction walks one namespace soonest-to-expire (then oldest) first; without
-- this index each eviction would sort the whole namespace.
create index cache_entries_eviction on :"schema".cache_entries (namespace, expires_at, updated_at);

insert into :"schema".migrations (version, name) values (4, '0004_cache');
