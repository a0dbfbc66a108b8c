-- pgq rpc: replies wait here until their caller reads them, so a reply that races the
-- caller's LISTEN (or is announced while the caller's listener reconnects) is not lost.
-- UNLOGGED: a reply is worthless after a crash anyway, and its writes skip the WAL.
-- Rows are inserted once and deleted once (by their caller, or by the retention sweep).

create unlogged table :"schema".rpc_replies (
  request_id uuid primary key,
  -- The handler's response (any JSON value); null when error is set.
  response jsonb,
  -- { message, name, code? } when the handler failed.
  error jsonb,
  created_at timestamptz not null default now()
);
-- The retention sweep's range scan over the oldest replies.
create index rpc_replies_created on :"schema".rpc_replies (created_at);

insert into :"schema".migrations (version, name) values (5, '0005_rpc');
