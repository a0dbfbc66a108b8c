import type { Command } from 'commander';
import { durationOption } from '../argument-parsers.js';
import type { CliContext } from '../cli-context.js';
import { formatDashboard } from '../dashboard/format-dashboard.js';
import { readDashboardSnapshot } from '../dashboard/read-dashboard-snapshot.js';
import { withExample } from '../help-example.js';

interface DashboardOptions {
  interval: number;
  liveWithin: number;
  once?: boolean;
}

/**
 * `pgq dashboard`: a live view of every queue. On a terminal it refreshes until `q`;
 * with `--once`, `--json` or when stdout is not a terminal it prints one snapshot.
 *
 * @example
 * ```ts
 * registerDashboardCommand(program, context);
 * ```
 */
export function registerDashboardCommand(program: Command, context: CliContext): void {
  withExample(
    program
      .command('dashboard')
      .description(
        'live view of every queue: depth, throughput, failures, oldest waiting job, workers (q quits)',
      )
      .option('--interval <duration>', 'refresh this often', durationOption, 1_000)
      .option(
        '--live-within <duration>',
        'a worker seen this recently counts as live',
        durationOption,
        30_000,
      )
      .option('--once', 'print one snapshot and exit (also when stdout is not a terminal)'),
    'pgq dashboard',
    'pgq dashboard --once --json',
  ).action(async (options: DashboardOptions) => {
    const pgq = await context.connect();
    const load = () => readDashboardSnapshot(pgq, { liveWithinMs: options.liveWithin });
    // The first read happens before the screen is taken, so a missing schema or a refused
    // login is one plain error line, not a broken frame.
    const initial = await load();
    if (options.once || context.json || !context.io.stdout.isTTY || !context.io.stdin.isTTY) {
      context.print(initial, (snapshot) => {
        const text = formatDashboard(snapshot);
        return [text.header, ...text.rows, '', ...text.workers]
          .filter((line, index) => index > 0 || line !== '')
          .join('\n');
      });
      return;
    }
    // ink draws nothing until exit when CI or CONTINUOUS_INTEGRATION is set, and reads them once,
    // at import. Both ends are a terminal here, so a person is watching: hide them from ink.
    delete process.env.CI;
    delete process.env.CONTINUOUS_INTEGRATION;
    const { runDashboard } = await import('../dashboard/run-dashboard.js');
    await runDashboard({
      io: context.io,
      load,
      initial,
      intervalMs: Math.max(100, options.interval),
      address: context.address(),
    });
  });
}
