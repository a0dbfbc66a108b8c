-- pgq security (issue 26): what a producer or a worker can write to a live job (docs/roles.sql
-- grants them columns of `jobs`) can no longer stop its queue. A `run_at = 'infinity'` made
-- every claim fail (`cannot subtract infinite timestamps`) and broke the stats and the CLI; an
-- infinite lease was never rescued; `attempts = 0` made a failing job retry forever; an
-- attempt count at the integer limit made the next claim overflow. So: every time is finite and
-- between 1970 and the year 9999 (a JavaScript Date and an ISO string hold it), a lease ends at
-- most 2^31-1 ms (lease_ms's limit) after it was set, the attempt count only grows (a release
-- gives back the one its claim took) and stays within max_attempts, an active job has a lease,
-- and what a worker writes is bounded in size. The constraints are plain checks and the
-- triggers fire only when their WHEN clause catches a bad write, so the hot path pays no
-- function call. The archive is guarded in docs/roles.sql (a worker archives only copies of the
-- live jobs it deletes, which `job_archive_moved` below checks); ids come only from the
-- sequence (docs/roles.sql no longer grants the producer the id column).
--
-- Lock cost: adding the constraints takes an ACCESS EXCLUSIVE lock on `jobs` (live jobs only,
-- never the archive) until the migration commits; the repair and the validation read the live
-- jobs once each under it. With millions of waiting jobs, migrate at a quiet moment.

alter table :"schema".jobs
  add constraint jobs_times_in_range check (
    run_at between '1970-01-01 00:00:00+00' and '9999-12-31 23:59:59.999999+00'
    and lease_expires_at between '1970-01-01 00:00:00+00' and '9999-12-31 23:59:59.999999+00'
    and started_at between '1970-01-01 00:00:00+00' and '9999-12-31 23:59:59.999999+00'
  ) not valid,
  -- Rescued when it expires: an active job without a lease would be held forever.
  add constraint jobs_active_leased check (state <> 'active' or lease_expires_at is not null) not valid,
  -- A waiting job has an attempt left (its claim adds one); a running one may be on its last.
  add constraint jobs_attempts_in_range check (
    attempts >= 0 and (attempts < max_attempts or (state = 'active' and attempts = max_attempts))
  ) not valid,
  -- pgq's own errors stay far below (toJobError caps their strings); worker_id is a host, a pid
  -- and a tag.
  add constraint jobs_written_sizes check (
    pg_column_size(last_error) <= 65536 and octet_length(worker_id) <= 1024
  ) not valid;

-- Rows written before this migration that break the rules above (a hostile login's, or none):
-- put them where they do least harm, under the lock the constraints took. A run_at out of
-- range goes to the nearest bound (an infinite one stays "never"), a start out of range becomes
-- now, a missing, bad or overlong lease expires now (the job is rescued), attempts go back in
-- range, oversized values are cut.
update :"schema".jobs set
  run_at = least(greatest(run_at, '1970-01-01 00:00:00+00'), '9999-12-31 23:59:59.999999+00'),
  started_at = case
    when started_at not between '1970-01-01 00:00:00+00' and '9999-12-31 23:59:59.999999+00'
      then statement_timestamp()
    else started_at end,
  lease_expires_at = case
    when state = 'active' and (lease_expires_at is null
      or lease_expires_at not between '1970-01-01 00:00:00+00' and '9999-12-31 23:59:59.999999+00'
      or lease_expires_at > statement_timestamp() + interval '2147483647 milliseconds')
      then statement_timestamp()
    when lease_expires_at between '1970-01-01 00:00:00+00' and '9999-12-31 23:59:59.999999+00'
      then lease_expires_at
  end,
  attempts = least(greatest(attempts, 0),
    case when state = 'active' then max_attempts else max_attempts - 1 end),
  worker_id = case when octet_length(worker_id) > 1024 then left(worker_id, 256) else worker_id end,
  last_error = case when pg_column_size(last_error) > 65536
    then '{"name": "Error", "message": "(an error over 64 kB, dropped by pgq migration 0007)"}'::jsonb
    else last_error end
where run_at not between '1970-01-01 00:00:00+00' and '9999-12-31 23:59:59.999999+00'
  or started_at not between '1970-01-01 00:00:00+00' and '9999-12-31 23:59:59.999999+00'
  or lease_expires_at not between '1970-01-01 00:00:00+00' and '9999-12-31 23:59:59.999999+00'
  or (state = 'active' and lease_expires_at is null)
  or lease_expires_at > statement_timestamp() + interval '2147483647 milliseconds'
  or not (attempts >= 0 and (attempts < max_attempts or (state = 'active' and attempts = max_attempts)))
  or pg_column_size(last_error) > 65536
  or octet_length(worker_id) > 1024;

alter table :"schema".jobs validate constraint jobs_times_in_range;
alter table :"schema".jobs validate constraint jobs_active_leased;
alter table :"schema".jobs validate constraint jobs_attempts_in_range;
alter table :"schema".jobs validate constraint jobs_written_sizes;

-- Ids a producer planted ahead of the sequence (it could insert ids) would make the next real
-- enqueues collide: move the sequence past every id in use, live or archived. One index probe
-- per queue; under the lock on `jobs`, so no enqueue draws an id meanwhile.
select setval(pg_get_serial_sequence(format('%I.jobs', :'schema'), 'id'), used.max_id)
  from (
    select max(greatest(live.max_id, archived.max_id)) as max_id
      from :"schema".queues q
      cross join lateral (select max(id) as max_id from :"schema".jobs where queue = q.name) live
      cross join lateral (
        select max(id) as max_id from :"schema".job_archive where queue = q.name) archived
  ) used, :"schema".jobs_id_seq seq
 where used.max_id >= seq.last_value;

-- A trigger that refuses the write it fires on, with its argument as the reason. Fired only
-- through a WHEN clause that caught a bad write, so a good write never calls it. The triggers
-- below fire AFTER the row is written (the error rolls the statement back all the same): a
-- BEFORE row trigger locks each row once more before it updates it, which cost the claim ~10 %.
create function :"schema".refuse_write() returns trigger
language plpgsql
set search_path = pg_catalog, pg_temp
as $$
begin
  raise exception using
    errcode = 'check_violation',
    message = format('pgq: %s', TG_ARGV[0]),
    schema = TG_TABLE_SCHEMA,
    table = TG_TABLE_NAME;
end
$$;

-- Only a release (active back to pending, its worker stopping) gives back the attempt its
-- claim took; a claim takes exactly one.
create trigger jobs_attempts_only_grow after update of attempts, state on :"schema".jobs
  for each row
  when ((new.attempts < old.attempts
         and not (old.state = 'active' and new.state = 'pending' and new.attempts = old.attempts - 1))
     or (old.state = 'pending' and new.state = 'active' and new.attempts <> old.attempts + 1))
  execute function :"schema".refuse_write(
    'attempts only grow: a claim adds one, only a release gives it back');

-- lease_ms and leaseMs are 32-bit milliseconds: no lease is longer.
create trigger jobs_lease_bounded after update of lease_expires_at on :"schema".jobs
  for each row
  when (new.lease_expires_at > statement_timestamp() + interval '2147483647 milliseconds')
  execute function :"schema".refuse_write(
    'a lease ends at most 2147483647 ms (24.8 days) after it is set');

-- A job is live or archived, never both: an archive row comes from a job that the same
-- statement deleted from `jobs`. A copy of a job left live would make that job's own move
-- fail on the archive's key later, and with it the whole batch that completes, fails or
-- rescues it. docs/roles.sql fires this after each statement that archives, where its worker
-- role archives (with a policy that checks the copy is faithful); an install without those
-- roles pays nothing. It checks only for roles row-level security applies to: the owner's
-- statements, pgq's own, skip the probe (0.25 ms per 100-row completion).
create function :"schema".job_archive_moved() returns trigger
language plpgsql
-- pg_temp last: a temporary table named jobs must not stand in for pgq's.
set search_path = :"schema", pg_catalog, pg_temp
as $$
declare
  live record;
begin
  if not row_security_active(TG_RELID) then
    return null;
  end if;
  select j.queue, j.id into live
    from (select queue, array_agg(id) as ids from archived group by queue) a
    cross join lateral (
      select queue, id from jobs where queue = a.queue and id = any(a.ids) limit 1) j
   limit 1;
  if found then
    raise exception using
      errcode = 'unique_violation',
      message = format('pgq: job %s of queue %s is live: only a job deleted from jobs by the same statement can be archived',
        live.id, live.queue),
      schema = TG_TABLE_SCHEMA,
      table = TG_TABLE_NAME;
  end if;
  return null;
end
$$;

-- The workers registry: finite times (an infinite last_seen_at was never pruned) and bounded
-- sizes. Rows that break them are dropped: a live worker registers again when it restarts.
delete from :"schema".workers
 where not (started_at between '1970-01-01 00:00:00+00' and '9999-12-31 23:59:59.999999+00'
   and last_seen_at between '1970-01-01 00:00:00+00' and '9999-12-31 23:59:59.999999+00'
   and octet_length(id) <= 1024 and octet_length(hostname) <= 1024
   and pg_column_size(queues) <= 65536);
alter table :"schema".workers
  add constraint workers_written_sane check (
    started_at between '1970-01-01 00:00:00+00' and '9999-12-31 23:59:59.999999+00'
    and last_seen_at between '1970-01-01 00:00:00+00' and '9999-12-31 23:59:59.999999+00'
    and octet_length(id) <= 1024 and octet_length(hostname) <= 1024
    and pg_column_size(queues) <= 65536
  );

insert into :"schema".migrations (version, name) values (7, '0007_security');
