import { listWorkers } from '@pgq/queue';
import type { Command } from 'commander';
import { durationOption } from '../argument-parsers.js';
import type { CliContext } from '../cli-context.js';
import { formatDuration } from '../format-duration.js';
import { formatTable } from '../format-table.js';
import { withExample } from '../help-example.js';

/**
 * `pgq workers`: the live workers from the registry (`--all` adds stale rows).
 *
 * @example
 * ```ts
 * registerWorkersCommand(program, context);
 * ```
 */
export function registerWorkersCommand(program: Command, context: CliContext): void {
  withExample(
    program
      .command('workers')
      .description('list live workers: host, pid, queues, last heartbeat')
      .option(
        '--live-within <duration>',
        'seen this recently counts as live (workers heartbeat every 5s by default)',
        durationOption,
        30_000,
      )
      .option('--all', 'also list stale rows (workers that died without stopping)'),
    'pgq workers',
    'pgq workers --all --json',
  ).action(async (options: { liveWithin: number; all?: boolean }) => {
    const workers = (
      await listWorkers(await context.connect(), { liveWithinMs: options.liveWithin })
    ).filter((worker) => options.all || worker.live);
    context.print(workers, (rows) =>
      rows.length === 0
        ? 'No live workers'
        : formatTable(rows, [
            { header: 'ID', value: (row) => row.id },
            { header: 'HOST', value: (row) => row.hostname },
            { header: 'PID', value: (row) => row.pid },
            { header: 'QUEUES', value: (row) => row.queues.join(',') },
            { header: 'UP', value: (row) => formatDuration(row.upMs), align: 'right' },
            {
              header: 'LAST SEEN',
              value: (row) => `${formatDuration(row.lastSeenMs)} ago`,
              align: 'right',
            },
            ...(options.all
              ? [
                  {
                    header: 'STATUS',
                    value: (row: (typeof rows)[number]) => (row.live ? 'live' : 'stale'),
                  },
                ]
              : []),
          ]),
    );
  });
}
