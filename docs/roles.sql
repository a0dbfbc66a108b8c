-- pgq least-privilege roles: `pgq_producer` may only enqueue, `pgq_worker` may only run jobs
-- (claim, heartbeat, complete, fail, rescue), each only on the queues mapped to it.
-- Explained in docs/security.md. Run it as the owner of the pgq schema (or a superuser), after
-- `pgq migrate`:
--
--   psql -v ON_ERROR_STOP=1 -v schema=pgq -f docs/roles.sql
--
-- Then give each application login one of the two roles and the queues it may use:
--
--   create role billing_worker login password '...' in role pgq_worker;
--   insert into pgq.role_queues (role_id, queue) values ('billing_worker', 'invoices');
--
-- Safe to run again. The two group roles are cluster-wide; the grants, the mapping table and
-- the row-level security policies below belong to this one schema.

-- NOLOGIN group roles: an application logs in as a role of its own that is a member of one.
-- Created only when missing; a concurrent run that created one first is not an error.
do $$
begin
  create role pgq_producer nologin;
exception when duplicate_object or unique_violation then null;
end
$$;
do $$
begin
  create role pgq_worker nologin;
exception when duplicate_object or unique_violation then null;
end
$$;

-- Which role may use which queue ('*': every queue). A row names a login or a group role;
-- members of that role get it. Read by the policies below, written only by the owner.
create table if not exists :"schema".role_queues (
  role_id regrole not null,
  queue text not null,
  primary key (role_id, queue)
);

grant usage on schema :"schema" to pgq_producer, pgq_worker;
grant select on :"schema".role_queues to pgq_producer, pgq_worker;
-- Queue settings (max_attempts for an enqueue, lease_ms for a claim, retention for cleanup).
grant select on :"schema".queues to pgq_producer, pgq_worker;
-- NOTIFY channel names; PUBLIC has it unless default privileges revoked it.
grant execute on function :"schema".channel(text, text) to pgq_producer, pgq_worker;

-- Producer: Queue.enqueue / enqueueMany. The insert reads back the ids it was given and, for
-- a uniqueKey, the live job holding the key: id, queue and unique_key only, never a payload.
-- Ids come only from the sequence, through the column's default (USAGE lets it draw): a
-- chosen id could take a job's place in the archive or the next ids of the sequence (issue
-- 26), so the id column is not granted, and revoked where an older version of this file
-- granted it.
grant usage on sequence :"schema".jobs_id_seq to pgq_producer;
revoke insert (id) on :"schema".jobs from pgq_producer;
grant insert (queue, payload, priority, run_at, max_attempts, unique_key)
  on :"schema".jobs to pgq_producer;
grant select (id, queue, unique_key) on :"schema".jobs to pgq_producer;

-- Worker: Worker (and Queue.dequeue/complete/fail/extendLease). It reads its jobs, updates the
-- lease columns (not payload, queue or priority), deletes finished jobs and archives them.
grant select on :"schema".jobs to pgq_worker;
grant update (state, attempts, run_at, lease_token, lease_expires_at, worker_id, started_at,
  last_error) on :"schema".jobs to pgq_worker;
grant delete on :"schema".jobs to pgq_worker;
-- The archive: completed and dead jobs go in, each a copy of the live job the same statement
-- deletes (the policies below and the job_archive_moved trigger check it); past retention they
-- are deleted. The cleanup's `select ... for update` needs UPDATE on one column, which the
-- policies let it lock but never change.
grant select, insert, delete on :"schema".job_archive to pgq_worker;
grant update (finished_at) on :"schema".job_archive to pgq_worker;
-- The worker registry (informational: what runs where).
grant select, insert, delete on :"schema".workers to pgq_worker;
grant update (last_seen_at) on :"schema".workers to pgq_worker;

-- Row-level security: each role sees and writes only the rows of its mapped queues. The
-- owner of the tables (who runs migrate and create_queue) bypasses it; any other role without
-- a policy below sees no rows at all (see docs/security.md). Policies on the partitioned
-- `jobs` cover every queue's partition, including queues created later; the partitions
-- themselves are granted to nobody, so they cannot be read around the policies.
alter table :"schema".queues enable row level security;
alter table :"schema".jobs enable row level security;
alter table :"schema".job_archive enable row level security;

-- A queue not mapped to the role looks missing: enqueue and Worker.start throw
-- QueueNotFoundError, so a misconfigured worker fails at start instead of idling.
drop policy if exists pgq_roles_queues on :"schema".queues;
create policy pgq_roles_queues on :"schema".queues for select to pgq_producer, pgq_worker
  using (exists (select 1 from :"schema".role_queues r
    where r.queue in (queues.name, '*') and pg_has_role(r.role_id, 'member')));

drop policy if exists pgq_producer_insert on :"schema".jobs;
create policy pgq_producer_insert on :"schema".jobs for insert to pgq_producer
  with check (exists (select 1 from :"schema".role_queues r
    where r.queue in (jobs.queue, '*') and pg_has_role(r.role_id, 'member')));
-- The insert's RETURNING and the uniqueKey look-up read the row back.
drop policy if exists pgq_producer_select on :"schema".jobs;
create policy pgq_producer_select on :"schema".jobs for select to pgq_producer
  using (exists (select 1 from :"schema".role_queues r
    where r.queue in (jobs.queue, '*') and pg_has_role(r.role_id, 'member')));

drop policy if exists pgq_worker_jobs on :"schema".jobs;
create policy pgq_worker_jobs on :"schema".jobs for all to pgq_worker
  using (exists (select 1 from :"schema".role_queues r
    where r.queue in (jobs.queue, '*') and pg_has_role(r.role_id, 'member')))
  with check (exists (select 1 from :"schema".role_queues r
    where r.queue in (jobs.queue, '*') and pg_has_role(r.role_id, 'member')));
-- A worker deletes a job only when it finishes it (completed, or dead): never a waiting one,
-- so it cannot purge or cancel its queue.
drop policy if exists pgq_worker_delete_active on :"schema".jobs;
create policy pgq_worker_delete_active on :"schema".jobs as restrictive for delete to pgq_worker
  using (state = 'active');

drop policy if exists pgq_worker_archive on :"schema".job_archive;
create policy pgq_worker_archive on :"schema".job_archive for select to pgq_worker
  using (exists (select 1 from :"schema".role_queues r
    where r.queue in (job_archive.queue, '*') and pg_has_role(r.role_id, 'member')));
-- A worker archives a job only as the live job it is (issue 26: a forged dead row, retried,
-- ran a payload of the worker's choosing): the row must match, column for column, a job of
-- its queues that is active in the statement's snapshot, and the statement must delete that
-- job (the trigger below). The outcome is the worker's to give: completed or dead, a result,
-- an error of at most 64 kB, stamped with the statement's time. The jobs look-up goes through
-- the worker's jobs policy, so the queue is one of its own.
drop policy if exists pgq_worker_archive_insert on :"schema".job_archive;
create policy pgq_worker_archive_insert on :"schema".job_archive for insert to pgq_worker
  with check (state in ('completed', 'dead')
    and finished_at between transaction_timestamp() and statement_timestamp()
    and coalesce(pg_column_size(last_error), 0) <= 65536
    and exists (select 1 from :"schema".jobs j
      where j.queue = job_archive.queue and j.id = job_archive.id and j.state = 'active'
        and j.payload = job_archive.payload and j.priority = job_archive.priority
        and j.attempts = job_archive.attempts and j.max_attempts = job_archive.max_attempts
        and j.unique_key is not distinct from job_archive.unique_key
        and j.created_at = job_archive.created_at
        and j.started_at is not distinct from job_archive.started_at));
-- ... and the statement deleted it: no copy of a job left live (its own move would then fail
-- on the archive's key, and with it the batch). On the table, so after every statement that
-- archives; it returns at once for the owner.
create or replace trigger job_archive_moved after insert on :"schema".job_archive
  referencing new table as archived
  for each statement execute function :"schema".job_archive_moved();
-- The cleanup deletes only what is past its queue's retention: a worker cannot erase its
-- queues' recent history. Its `select ... for update` locks rows, which no worker may change.
drop policy if exists pgq_worker_archive_expired on :"schema".job_archive;
create policy pgq_worker_archive_expired on :"schema".job_archive for delete to pgq_worker
  using (exists (select 1 from :"schema".role_queues r
      where r.queue in (job_archive.queue, '*') and pg_has_role(r.role_id, 'member'))
    and exists (select 1 from :"schema".queues q
      where q.name = job_archive.queue
        and job_archive.finished_at < now() - case when job_archive.state = 'completed'
          then q.completed_retention_seconds else q.dead_retention_seconds end * interval '1 second'));
drop policy if exists pgq_worker_archive_lock on :"schema".job_archive;
create policy pgq_worker_archive_lock on :"schema".job_archive for update to pgq_worker
  using (exists (select 1 from :"schema".role_queues r
    where r.queue in (job_archive.queue, '*') and pg_has_role(r.role_id, 'member')))
  with check (false);
