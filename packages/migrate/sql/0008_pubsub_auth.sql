-- pgq pubsub authentication: the key that signs every pub/sub message.
-- Any login on the database may NOTIFY any channel and LISTEN to any channel; PostgreSQL has
-- no privilege for either. So a subscriber believes a message only when it carries a tag
-- that only holders of this key can compute: HMAC-SHA256 (RFC 2104) over the message, keyed
-- by 32 random bytes made here, once per schema. Only the schema's owner (the role that runs
-- migrate, publishes and subscribes) can read it. Issue #26.

create table :"schema".pubsub_auth (
  -- One row.
  id boolean primary key default true check (id),
  -- The HMAC key (read once by each PubSub).
  key bytea not null check (octet_length(key) = 32),
  -- HMAC's two padded keys (the key zero-padded to SHA-256's 64-byte block, XORed with 0x36
  -- and with 0x5c), so SQL computes a tag with two sha256() calls: see pubsub_tag below.
  inner_pad bytea not null check (octet_length(inner_pad) = 64),
  outer_pad bytea not null check (octet_length(outer_pad) = 64),
  created_at timestamptz not null default now()
);

-- 32 bytes from three gen_random_uuid() (122 random bits each, from the server's strong
-- random source), hashed: pgcrypto's gen_random_bytes() is not installed everywhere.
with made as (
  select sha256(uuid_send(gen_random_uuid()) || uuid_send(gen_random_uuid())
                || uuid_send(gen_random_uuid())) as key
),
padded as (
  select key, key || decode(repeat('00', 32), 'hex') as block from made
)
insert into :"schema".pubsub_auth (key, inner_pad, outer_pad)
select key,
       (select decode(string_agg(lpad(to_hex(get_byte(block, i) # 54), 2, '0'), '' order by i), 'hex')
          from generate_series(0, 63) as i),
       (select decode(string_agg(lpad(to_hex(get_byte(block, i) # 92), 2, '0'), '' order by i), 'hex')
          from generate_series(0, 63) as i)
  from padded;

-- A pub/sub message's tag, as @pgq/pubsub computes it: the first 16 bytes of
-- HMAC-SHA256(key, the message's UTF-8 text without its tag), in lower-case hex. For
-- publishing from SQL; only a role that can read pubsub_auth can call it usefully.
-- A SQL-standard body: its names are bound when it is created, so no search_path can
-- redirect them.
create function :"schema".pubsub_tag(message text) returns text
language sql stable parallel safe
begin atomic
  select encode(substr(sha256(outer_pad || sha256(inner_pad || convert_to(message, 'UTF8'))), 1, 16), 'hex')
    from :"schema".pubsub_auth;
end;
revoke all on function :"schema".pubsub_tag(text) from public;

-- Nobody but the owner reads the key, whatever ALTER DEFAULT PRIVILEGES granted on new tables.
create function :"schema".pubsub_auth_revoke(schema_name text) returns void
language plpgsql
as $$
declare
  grantee text;
begin
  for grantee in
    select distinct case when acl.grantee = 0 then 'public' else acl.grantee::regrole::text end
      from pg_class c, aclexplode(c.relacl) as acl
     where c.oid = format('%I.pubsub_auth', schema_name)::regclass and acl.grantee <> c.relowner
  loop
    execute format('revoke all on %I.pubsub_auth from %s', schema_name, grantee);
  end loop;
end
$$;
select :"schema".pubsub_auth_revoke(:'schema');
drop function :"schema".pubsub_auth_revoke(text);

insert into :"schema".migrations (version, name) values (8, '0008_pubsub_auth');
