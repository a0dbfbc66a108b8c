-- pgq pubsub: payloads larger than NOTIFY's 8000-byte limit, delivered by reference.
-- UNLOGGED: pub/sub is fire-and-forget; a crash that empties this table loses only
-- messages nobody could still receive.

create unlogged table :"schema".pubsub_payloads (
  id bigint generated always as identity primary key,
  channel text not null,
  payload text not null,
  created_at timestamptz not null default now()
);
create index pubsub_payloads_created on :"schema".pubsub_payloads (created_at);

insert into :"schema".migrations (version, name) values (3, '0003_pubsub');
