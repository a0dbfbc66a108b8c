-- pgq pubsub: message bodies larger than NOTIFY's 8000-byte limit, delivered by reference.
-- The publisher stores the body and NOTIFYs its id in the same transaction; every
-- subscriber reads the row, and no reader deletes it (several read the same one): a
-- bounded sweep deletes rows older than the publisher's retention.
-- UNLOGGED: pub/sub is fire-and-forget; a crash that empties this table loses only
-- messages nobody could still receive.

create unlogged table :"schema".pubsub_payloads (
  -- Chosen by the publisher (a UUID), so one statement can store the row and NOTIFY its id.
  id uuid primary key,
  channel text not null,
  -- The body: JSON text or a plain string (the NOTIFY says which).
  payload text not null,
  -- clock_timestamp(), not now(): the retention counts from the publish, even when it comes
  -- late in a long transaction.
  created_at timestamptz not null default clock_timestamp()
);
-- The sweeper's oldest-first range scan.
create index pubsub_payloads_created on :"schema".pubsub_payloads (created_at);

insert into :"schema".migrations (version, name) values (3, '0003_pubsub');
