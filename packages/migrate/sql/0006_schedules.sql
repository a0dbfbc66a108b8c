-- pgq scheduler (cron): per schedule, what to do with ticks missed while no scheduler ran
-- (catch_up) and how late a tick may fire and still count as on time (grace_ms).

alter table :"schema".schedules
  add column catch_up text not null default 'latest' check (catch_up in ('none', 'latest', 'all')),
  add column grace_ms int not null default 60000 check (grace_ms between 1000 and 86400000);

-- Every scheduler asks for the earliest next_run_at (to set its timer) and claims the due
-- schedules in that order.
create index schedules_next_run_at on :"schema".schedules (next_run_at) where next_run_at is not null;

insert into :"schema".migrations (version, name) values (6, '0006_schedules');
