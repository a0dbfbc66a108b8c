-- pgq cache: UNLOGGED, so writes skip the WAL: fast, emptied by a crash, not replicated.

create unlogged table :"schema".cache_entries (
  namespace text not null,
  key text not null,
  value text,
  bytes bytea,
  expires_at timestamptz,
  updated_at timestamptz not null default now(),
  primary key (namespace, key),
  check ((value is null) <> (bytes is null))
);
create index cache_entries_expires on :"schema".cache_entries (expires_at) where expires_at is not null;

insert into :"schema".migrations (version, name) values (4, '0004_cache');
