// `pnpm start`: the app and its worker in one process, against DATABASE_URL or an embedded
// PostgreSQL kept in apps/example/.pgq-data. Ctrl-C stops everything cleanly.
import { fileURLToPath } from 'node:url';
import { connect, type Pgq } from '@pgq/core';
import { migrate } from '@pgq/migrate';
import { type LocalDatabase, openLocalDatabase } from './local-database.js';
import { type RunningApp, startApp } from './start-app.js';

const dataDir = fileURLToPath(new URL('../.pgq-data', import.meta.url));
// A stop that takes longer than this is stuck: exit anyway.
const forceExitMs = 15_000;

async function main(): Promise<void> {
  let database: LocalDatabase | undefined;
  let pgq: Pgq | undefined;
  let app: RunningApp | undefined;
  let stopping = false;
  const stop = async (signal: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal}: stopping…`);
    setTimeout(() => {
      console.error(`✗ still stopping after ${forceExitMs / 1000} s: exiting anyway`);
      process.exit(1);
    }, forceExitMs).unref();
    await app?.stop();
    await pgq?.close();
    await database?.stop();
    console.log('stopped: HTTP server, worker, subscriptions, pool and database');
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));

  try {
    database = await openLocalDatabase({ dataDir });
    console.log(
      database.embedded
        ? `started an embedded PostgreSQL at ${database.url} (data in ${database.dataDir})`
        : 'using DATABASE_URL',
    );
    pgq = connect({ connectionString: database.url, schema: process.env.PGQ_SCHEMA ?? 'pgq' });
    await migrate(pgq);
    app = await startApp({
      pgq,
      port: Number(process.env.PORT ?? 3000),
      log: (line) => console.log(line),
    });
  } catch (error) {
    console.error(`✗ could not start: ${error instanceof Error ? error.message : String(error)}`);
    await app?.stop();
    await pgq?.close();
    await database?.stop();
    process.exit(1);
  }
  if (stopping) return;
  const { url } = app;
  console.log(`
pgq example listening on ${url} (Ctrl-C to stop)

Try, in another terminal:
  curl -N ${url}/events                       # watch signups live (leave it running)
  curl -X POST ${url}/signup -H 'content-type: application/json' -d '{"email":"ada@example.com"}'
  curl -i ${url}/users/1                      # x-cache: miss, then hit
  curl -X POST ${url}/thumbnails -H 'content-type: application/json' -d '{"url":"https://example.com/cat.png","width":320}'
  curl ${url}/stats
`);
}

void main();
