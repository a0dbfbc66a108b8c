// `pnpm --filter @pgq/example worker`: the worker alone, against DATABASE_URL (pgq and the
// app's schema migrated already, e.g. by a running `pnpm start`). Run as many as you like.
import { connect } from '@pgq/core';
import { openAppDatabase } from './app-database.js';
import { startWorker } from './worker.js';

async function main(): Promise<void> {
  if (!process.env.PGQ_DATABASE_URL && !process.env.DATABASE_URL) {
    console.error('✗ set DATABASE_URL (the worker runs against the app’s database)');
    process.exit(2);
  }
  const pgq = connect({ schema: process.env.PGQ_SCHEMA ?? 'pgq' });
  const db = openAppDatabase(pgq.pool, 'example');
  const worker = await startWorker({ pgq, db, log: (line) => console.log(line) });
  console.log(
    'worker running: emails, thumbnails (RPC), reports, nightly schedule (Ctrl-C to stop)',
  );
  let stopping = false;
  const stop = async (): Promise<void> => {
    if (stopping) return;
    stopping = true;
    await worker.stop();
    await pgq.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
}

main().catch((error: unknown) => {
  console.error(`✗ ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
