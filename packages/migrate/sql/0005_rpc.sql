-- pgq rpc: replies wait here until their caller reads them, so a reply that races the
-- caller's LISTEN is not lost. UNLOGGED: a reply is worthless after a crash anyway.

create unlogged table :"schema".rpc_replies (
  request_id uuid primary key,
  response jsonb,
  error jsonb,
  created_at timestamptz not null default now()
);
create index rpc_replies_created on :"schema".rpc_replies (created_at);

insert into :"schema".migrations (version, name) values (5, '0005_rpc');
