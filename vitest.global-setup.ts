import { startPostgres } from '@pgq/testing';

/**
 * One PostgreSQL for the whole run: `DATABASE_URL` when set, otherwise an embedded
 * server started here. Test files isolate themselves with a schema each.
 */
export default async function setup(): Promise<(() => Promise<void>) | undefined> {
  if (process.env.DATABASE_URL) return undefined;
  const server = await startPostgres({ durable: false });
  process.env.DATABASE_URL = server.url;
  return () => server.stop();
}
