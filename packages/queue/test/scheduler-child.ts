// A scheduler in a process of its own, for scheduler-processes.test.ts. Prints `ready` once
// started, runs until it reads `stop` on stdin, then prints a JSON summary of what it fired.
import { createInterface } from 'node:readline';
import { connect } from '@pgq/core';
import { Scheduler } from '../src/scheduler/scheduler.js';

const pgq = connect({ connectionString: process.env.DATABASE_URL, schema: process.env.PGQ_SCHEMA });
const scheduler = new Scheduler(pgq);
const summary = { pid: process.pid, fired: 0, deduplicated: 0, errors: [] as string[] };
scheduler.on('fired', (fired) => {
  summary.fired++;
  if (fired.deduplicated) summary.deduplicated++;
});
scheduler.on('error', (error) => summary.errors.push(error.message));
await scheduler.start();
console.log('ready');
for await (const line of createInterface({ input: process.stdin })) {
  if (line.trim() === 'stop') break;
}
await scheduler.stop();
await pgq.close();
console.log(JSON.stringify(summary));
