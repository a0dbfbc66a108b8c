import { hostname } from 'node:os';
import { Queue, Worker } from '@pgq/queue';
import { describe, expect, it } from 'vitest';
import { setupCliDatabase } from './cli-database.js';

const cli = setupCliDatabase();
const { pgq } = cli;

describe('pgq workers', () => {
  it('lists the live workers of the registry, and stale rows with --all', async () => {
    const empty = await pgq(['workers']);
    expect(empty).toMatchObject({ code: 0, stdout: 'No live workers\n' });

    await new Queue(cli.db.pgq, 'thumbnails').create();
    const worker = new Worker(cli.db.pgq, 'thumbnails', async () => {}, { workerId: 'thumbs-1' });
    await worker.start();
    try {
      // A worker that died an hour ago without unregistering.
      await cli.db.pgq.query(
        `insert into ${cli.db.pgq.table('workers')} (id, hostname, pid, queues, started_at, last_seen_at)
         values ('gone-1', 'old-host', 4242, '{thumbnails,emails}', now() - interval '2 hours', now() - interval '1 hour')`,
      );
      const [live, all, table] = await Promise.all([
        pgq(['workers', '--json']),
        pgq(['workers', '--all', '--json']),
        pgq(['workers', '--all']),
      ]);
      expect(live.code).toBe(0);
      expect(JSON.parse(live.stdout)).toEqual([
        expect.objectContaining({
          id: 'thumbs-1',
          hostname: hostname(),
          pid: process.pid,
          queues: ['thumbnails'],
          live: true,
        }),
      ]);
      const everyone = JSON.parse(all.stdout) as Array<{
        id: string;
        live: boolean;
        lastSeenMs: number;
      }>;
      expect(everyone.map((row) => [row.id, row.live])).toEqual([
        ['thumbs-1', true],
        ['gone-1', false],
      ]);
      expect(everyone[1]!.lastSeenMs).toBeGreaterThanOrEqual(3_600_000);
      expect(table.stdout).toMatch(/^ID\s+HOST\s+PID\s+QUEUES\s+UP\s+LAST SEEN\s+STATUS\n/);
      expect(table.stdout).toMatch(
        /\ngone-1\s+old-host\s+4242\s+thumbnails,emails\s+2h\s+1h ago\s+stale\n/,
      );

      // The threshold decides: seen an hour ago is live within two hours.
      const lenient = await pgq(['workers', '--live-within', '2h', '--json']);
      expect(JSON.parse(lenient.stdout).map((row: { id: string }) => row.id)).toEqual([
        'thumbs-1',
        'gone-1',
      ]);
    } finally {
      await worker.stop();
    }
    const after = await pgq(['workers', '--json']);
    expect(JSON.parse(after.stdout)).toEqual([]);
  });
});
