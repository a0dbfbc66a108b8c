// The scripted tour: connects to DATABASE_URL or an embedded PostgreSQL, installs pgq,
// verifies it, and prints each step. Exits non-zero if any step did not happen.
import { connect } from '@pgq/core';
import { migrate, verify } from '@pgq/migrate';
import { startPostgres } from '@pgq/testing';

function step(message: string): void {
  console.log(`✓ ${message}`);
}

async function main(): Promise<void> {
  const server = process.env.DATABASE_URL ? undefined : await startPostgres();
  const url = process.env.DATABASE_URL ?? server!.url;
  step(server ? `started an embedded PostgreSQL at ${url}` : `using DATABASE_URL`);
  const pgq = connect({ connectionString: url, schema: 'pgq_demo' });
  try {
    const { applied, version } = await migrate(pgq);
    step(
      `migrated schema "${pgq.schema}" to version ${version} (${applied.length} migrations applied now)`,
    );
    const { ok, problems } = await verify(pgq);
    if (!ok) throw new Error(`verify found problems: ${problems.join('; ')}`);
    step('verified: every pgq table and function is in place');
    await pgq.query(`select ${pgq.quotedSchema}.create_queue('emails')`);
    const queues = await pgq.db.selectFrom('queues').select('name').execute();
    step(`queues: ${queues.map((queue) => queue.name).join(', ')}`);
  } finally {
    await pgq.close();
    await server?.stop();
  }
}

main().catch((error: unknown) => {
  console.error(`✗ ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
