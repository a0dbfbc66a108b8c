-- pgq 0009: every function of pgq's resolves names on a search_path of its own (issue 26).
-- A function without one resolves its body's operators and functions on the caller's path,
-- where a schema others may create in (`public` before PostgreSQL 15, or any with CREATE
-- granted) can hold an exact match that beats pg_catalog's (say `convert_to(text, text)` over
-- pg_catalog's `convert_to(text, name)` for a quoted literal), which then runs as the caller.
-- pg_temp goes last, so a temporary table cannot stand in for one of pgq's.

-- The channel naming rule: pg_catalog alone.
alter function :"schema".channel(text, text) set search_path = pg_catalog, pg_temp;

-- These name pgq's tables and channel() unqualified, and create_queue asks current_schema()
-- where to put a queue's partition: pgq's schema stays first.
alter function :"schema".jobs_notify() set search_path = :"schema", pg_catalog, pg_temp;
alter function :"schema".jobs_finished_notify() set search_path = :"schema", pg_catalog, pg_temp;
alter function :"schema".create_queue(text, int, int, int, int)
  set search_path = :"schema", pg_catalog, pg_temp;
alter function :"schema".delete_queue(text) set search_path = :"schema", pg_catalog, pg_temp;

insert into :"schema".migrations (version, name) values (9, '0009_search_path');
