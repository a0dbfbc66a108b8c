import { assertName } from '@pgq/core';
import { type CatchUpPolicy, type Schedule, Scheduler } from '@pgq/queue';
import { type Command, Option } from 'commander';
import { integerOption, parseJsonArgument, positiveIntegerOption } from '../argument-parsers.js';
import type { CliContext } from '../cli-context.js';
import { NotFoundError } from '../errors/not-found-error.js';
import { formatTable } from '../format-table.js';
import { withExample } from '../help-example.js';
import { queueNameArgument } from './queue-name-argument.js';

interface SetOptions {
  queue: string;
  timezone?: string;
  payload?: string;
  priority?: number;
  maxAttempts?: number;
  catchUp?: CatchUpPolicy;
}

/**
 * `pgq schedule list | set | remove`: manage the recurring jobs a `Scheduler` fires. None of
 * them fires anything; the app's running schedulers pick changes up.
 *
 * @example
 * ```ts
 * registerScheduleCommands(program, context);
 * ```
 */
export function registerScheduleCommands(program: Command, context: CliContext): void {
  const schedule = withExample(
    program.command('schedule').description('list, set and remove recurring jobs (cron)'),
    `pgq schedule set nightly-report '0 3 * * *' --queue reports --timezone Europe/Paris`,
    'pgq schedule list',
  );

  withExample(
    schedule.command('list').description('list schedules and their next run'),
    'pgq schedule list --json',
  ).action(async () => {
    const schedules = await new Scheduler(await context.connect()).list();
    context.print(schedules, (rows) =>
      rows.length === 0
        ? 'No schedules yet: create one with `pgq schedule set <name> <cron> --queue <queue>`'
        : formatTable(rows, [
            { header: 'SCHEDULE', value: (row) => row.name },
            { header: 'CRON', value: (row) => row.cron },
            { header: 'TIMEZONE', value: (row) => row.timezone },
            { header: 'QUEUE', value: (row) => row.queue },
            { header: 'CATCH UP', value: (row) => row.catchUp },
            { header: 'NEXT RUN', value: (row) => row.nextRunAt?.toISOString() },
            { header: 'LAST RUN', value: (row) => row.lastRunAt?.toISOString() },
          ]),
    );
  });

  withExample(
    schedule
      .command('set')
      .description('create or replace a schedule (its next run is kept when cron and zone stay)')
      .argument('<name>', 'schedule name', scheduleNameArgument)
      .argument('<cron>', `cron expression, e.g. '0 3 * * *' or @hourly`)
      .requiredOption('-q, --queue <name>', 'queue each tick sends a job to', queueNameArgument)
      .option('--timezone <zone>', 'IANA time zone the expression reads in (default UTC)')
      .option('--payload <json>', "each job's payload as JSON (default null)")
      .option('--priority <n>', "each job's priority, higher runs first (default 0)", integerOption)
      .option(
        '--max-attempts <n>',
        "attempts before each job is dead (default: the queue's)",
        positiveIntegerOption,
      )
      .addOption(
        new Option('--catch-up <policy>', 'what to do with missed ticks (default latest)').choices([
          'none',
          'latest',
          'all',
        ]),
      ),
    `pgq schedule set nightly-report '0 3 * * *' --queue reports --timezone Europe/Paris`,
    `pgq schedule set heartbeat '*/5 * * * *' --queue pings --payload '{"kind":"ping"}' --catch-up none`,
  ).action(async (name: string, cron: string, options: SetOptions) => {
    const payload =
      options.payload === undefined ? undefined : parseJsonArgument(options.payload, '--payload');
    const jobOptions = {
      ...(options.priority === undefined ? {} : { priority: options.priority }),
      ...(options.maxAttempts === undefined ? {} : { maxAttempts: options.maxAttempts }),
    };
    const stored = await new Scheduler(await context.connect()).set(name, {
      cron,
      queue: options.queue,
      ...(options.timezone === undefined ? {} : { timezone: options.timezone }),
      ...(payload === undefined ? {} : { payload }),
      ...(Object.keys(jobOptions).length === 0 ? {} : { options: jobOptions }),
      ...(options.catchUp === undefined ? {} : { catchUp: options.catchUp }),
    });
    context.print(stored, (row) => `Set schedule "${row.name}": next run ${nextRun(row)}`);
  });

  withExample(
    schedule
      .command('remove')
      .description('delete a schedule; no tick fires after it returns')
      .argument('<name>', 'schedule name', scheduleNameArgument),
    'pgq schedule remove nightly-report',
  ).action(async (name: string) => {
    const removed = await new Scheduler(await context.connect()).remove(name);
    if (!removed) throw new NotFoundError(`No schedule named ${name}`);
    context.print({ schedule: name, removed }, () => `Removed schedule "${name}"`);
  });
}

// A bad name is bad usage (exit 2) before anything connects, as for queue names.
function scheduleNameArgument(name: string): string {
  return assertName('schedule', name);
}

function nextRun(schedule: Schedule): string {
  return schedule.nextRunAt === null ? 'never' : schedule.nextRunAt.toISOString();
}
