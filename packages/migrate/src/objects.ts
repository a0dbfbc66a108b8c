/**
 * Every object pgq's migrations create, with the version that introduced it: `verify()`
 * looks for each one and `uninstall()` drops each one, leaving the user's own objects alone.
 * Add a line here with each migration that creates an object.
 */
export interface SchemaObject {
  kind: 'table' | 'function' | 'type';
  /** Table or type name, or a function's signature `name(argtypes)`. */
  name: string;
  version: number;
}

export const schemaObjects: readonly SchemaObject[] = [
  { kind: 'table', name: 'migrations', version: 1 },
  { kind: 'function', name: 'channel(text, text)', version: 1 },
  { kind: 'type', name: 'job_state', version: 2 },
  { kind: 'table', name: 'queues', version: 2 },
  { kind: 'table', name: 'jobs', version: 2 },
  { kind: 'table', name: 'job_archive', version: 2 },
  { kind: 'table', name: 'workers', version: 2 },
  { kind: 'table', name: 'schedules', version: 2 },
  { kind: 'function', name: 'jobs_notify()', version: 2 },
  { kind: 'function', name: 'jobs_finished_notify()', version: 2 },
  { kind: 'function', name: 'create_queue(text, int, int, int, int)', version: 2 },
  { kind: 'function', name: 'delete_queue(text)', version: 2 },
  { kind: 'table', name: 'pubsub_payloads', version: 3 },
  { kind: 'table', name: 'cache_entries', version: 4 },
  { kind: 'table', name: 'rpc_replies', version: 5 },
  { kind: 'function', name: 'refuse_write()', version: 7 },
  { kind: 'function', name: 'job_archive_moved()', version: 7 },
  { kind: 'table', name: 'pubsub_auth', version: 8 },
  { kind: 'function', name: 'pubsub_tag(text)', version: 8 },
];
