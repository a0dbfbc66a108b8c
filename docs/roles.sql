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

-- Producer: Queue.enqueue / enqueueMany. The insert draws ids from the sequence and, for a
-- uniqueKey, reads back the live job holding the key: id, queue and unique_key only, never a
-- payload.
grant usage on sequence :"schema".jobs_id_seq to pgq_producer;
grant insert (id, queue, payload, priority, run_at, max_attempts, unique_key)
  on :"schema".jobs to pgq_producer;
grant select (id, queue, unique_key) on :"schema".jobs to pgq_producer;

-- Worker: Worker (and Queue.dequeue/complete/fail/extendLease). It reads its jobs, updates the
-- lease columns (not payload, queue or priority), deletes finished jobs and archives them.
grant select on :"schema".jobs to pgq_worker;
grant update (state, attempts, run_at, lease_token, lease_expires_at, worker_id, started_at,
  last_error) on :"schema".jobs to pgq_worker;
grant delete on :"schema".jobs to pgq_worker;
-- The archive: completed and dead jobs go in; past retention they are deleted. The cleanup's
-- `select ... for update` needs UPDATE on one column: finished_at is the least harmful.
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
create policy pgq_worker_archive on :"schema".job_archive for all to pgq_worker
  using (exists (select 1 from :"schema".role_queues r
    where r.queue in (job_archive.queue, '*') and pg_has_role(r.role_id, 'member')))
  with check (exists (select 1 from :"schema".role_queues r
    where r.queue in (job_archive.queue, '*') and pg_has_role(r.role_id, 'member')));
