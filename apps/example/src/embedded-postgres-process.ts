// Runs an embedded PostgreSQL for `openLocalDatabase`, in a process of its own. Started
// detached (its own process group), so the Ctrl-C that a terminal sends to the whole
// foreground group reaches the app, which shuts down gracefully while the database is still
// up, and not PostgreSQL, which would otherwise go down under the app's feet. It stops the
// server when the app says `stop`, or when the app is gone (the IPC channel closes).
import { startPostgres } from '@pgq/testing';

/** What the app sends to start the server (as the first argument, in JSON). */
export interface EmbeddedPostgresRequest {
  dataDir?: string;
  durable?: boolean;
}

/** What this process answers once the server is up (or could not start). */
export type EmbeddedPostgresReply = { url: string; dataDir: string } | { error: string };

async function main(): Promise<void> {
  const request = JSON.parse(process.argv[2] ?? '{}') as EmbeddedPostgresRequest;
  let server: Awaited<ReturnType<typeof startPostgres>>;
  try {
    server = await startPostgres(request);
  } catch (error) {
    reply({ error: error instanceof Error ? error.message : String(error) });
    process.exit(1);
  }
  let stopping = false;
  const stop = async (): Promise<void> => {
    if (stopping) return;
    stopping = true;
    await server.stop();
    process.exit(0);
  };
  process.on('message', (message) => message === 'stop' && void stop());
  process.on('disconnect', () => void stop());
  reply({ url: server.url, dataDir: server.dataDir });
}

function reply(message: EmbeddedPostgresReply): void {
  process.send?.(message);
}

void main();
