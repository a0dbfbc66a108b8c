import { QueueNotFoundError } from '@pgq/core';
import { listQueues, Queue, type QueueStats } from '@pgq/queue';
import type { Command } from 'commander';
import { durationOption, positiveIntegerOption } from '../argument-parsers.js';
import type { CliContext } from '../cli-context.js';
import { confirm } from '../confirm.js';
import { ExitCode } from '../describe-error.js';
import { formatDuration } from '../format-duration.js';
import { formatTable } from '../format-table.js';
import { withExample } from '../help-example.js';
import { queueNameArgument } from './queue-name-argument.js';

interface CreateOptions {
  maxAttempts?: number;
  lease?: number;
  completedRetention?: number;
  deadRetention?: number;
}

/**
 * `pgq queue create | list | delete | purge | stats`.
 *
 * @example
 * ```ts
 * registerQueueCommands(program, context);
 * ```
 */
export function registerQueueCommands(program: Command, context: CliContext): void {
  const queue = withExample(
    program.command('queue').description('create, list, delete, purge and count queues'),
    'pgq queue create emails --max-attempts 5',
    'pgq queue stats',
  );

  withExample(
    queue
      .command('create')
      .description('create a queue (idempotent: on an existing queue, sets the options given)')
      .argument('<name>', 'queue name', queueNameArgument)
      .option(
        '--max-attempts <n>',
        'attempts before a job is dead (default 3)',
        positiveIntegerOption,
      )
      .option(
        '--lease <duration>',
        'how long a claim holds a job, e.g. 30s (default 30s)',
        durationOption,
      )
      .option(
        '--completed-retention <duration>',
        'keep completed jobs this long (default 1d)',
        durationOption,
      )
      .option(
        '--dead-retention <duration>',
        'keep dead and cancelled jobs this long (default 14d)',
        durationOption,
      ),
    'pgq queue create emails --max-attempts 5 --lease 2m --completed-retention 1h',
  ).action(async (name: string, options: CreateOptions) => {
    const settings = {
      ...(options.maxAttempts === undefined ? {} : { maxAttempts: options.maxAttempts }),
      ...(options.lease === undefined ? {} : { leaseMs: options.lease }),
      ...(options.completedRetention === undefined
        ? {}
        : { completedRetentionSeconds: Math.round(options.completedRetention / 1_000) }),
      ...(options.deadRetention === undefined
        ? {}
        : { deadRetentionSeconds: Math.round(options.deadRetention / 1_000) }),
    };
    const created = await new Queue(await context.connect(), name).create(settings);
    context.print({ queue: name, created }, () =>
      created
        ? `Created queue "${name}"`
        : `Queue "${name}" already exists${Object.keys(settings).length > 0 ? ' (options updated)' : ''}`,
    );
  });

  withExample(
    queue.command('list').description('list queues and their defaults'),
    'pgq queue list --json',
  ).action(async () => {
    // The JSON keeps the seconds of pgq queue create's options and of the `queues` table.
    const queues = (await listQueues(await context.connect())).map((listed) => ({
      name: listed.name,
      maxAttempts: listed.maxAttempts,
      leaseMs: listed.leaseMs,
      completedRetentionSeconds: listed.completedRetentionMs / 1_000,
      deadRetentionSeconds: listed.deadRetentionMs / 1_000,
      createdAt: listed.createdAt,
    }));
    context.print(queues, (rows) =>
      rows.length === 0
        ? 'No queues yet: create one with `pgq queue create <name>`'
        : formatTable(rows, [
            { header: 'QUEUE', value: (row) => row.name },
            { header: 'MAX ATTEMPTS', value: (row) => row.maxAttempts },
            { header: 'LEASE', value: (row) => formatDuration(row.leaseMs), align: 'right' },
            {
              header: 'KEEP COMPLETED',
              value: (row) => formatDuration(row.completedRetentionSeconds * 1_000),
              align: 'right',
            },
            {
              header: 'KEEP DEAD',
              value: (row) => formatDuration(row.deadRetentionSeconds * 1_000),
              align: 'right',
            },
            { header: 'CREATED', value: (row) => row.createdAt.toISOString() },
          ]),
    );
  });

  withExample(
    queue
      .command('delete')
      .description('delete a queue with all its jobs, live and archived')
      .argument('<name>', 'queue name', queueNameArgument)
      .option('-y, --yes', 'do not ask for confirmation (required when stdin is not a terminal)'),
    'pgq queue delete old-emails --yes',
  ).action(async (name: string, options: { yes?: boolean }) => {
    const question = `Delete queue "${name}" with all its jobs?`;
    if (!(await confirm(context.io, question, options.yes))) return refused(context);
    const deleted = await new Queue(await context.connect(), name).delete();
    if (!deleted) throw new QueueNotFoundError(name);
    context.print({ queue: name, deleted }, () => `Deleted queue "${name}"`);
  });

  withExample(
    queue
      .command('purge')
      .description('delete every waiting job (pending and scheduled); running ones carry on')
      .argument('<name>', 'queue name', queueNameArgument)
      .option('-y, --yes', 'do not ask for confirmation (required when stdin is not a terminal)'),
    'pgq queue purge emails --yes',
  ).action(async (name: string, options: { yes?: boolean }) => {
    const question = `Delete every waiting job of queue "${name}"?`;
    if (!(await confirm(context.io, question, options.yes))) return refused(context);
    const pgq = await context.connect();
    await assertQueueExists(context, name);
    const purged = await new Queue(pgq, name).purge();
    context.print({ queue: name, purged }, () => `Purged ${purged} waiting jobs from "${name}"`);
  });

  withExample(
    queue
      .command('stats')
      .description('count jobs by state, per queue (every queue unless named)')
      .argument('[name]', 'only this queue', queueNameArgument),
    'pgq queue stats',
    'pgq queue stats emails --json',
  ).action(async (name: string | undefined) => {
    const pgq = await context.connect();
    const names = (await listQueues(pgq, { name })).map((row) => row.name);
    if (name !== undefined && names.length === 0) throw new QueueNotFoundError(name);
    const stats: Array<{ queue: string } & QueueStats> = [];
    for (const queueName of names) {
      stats.push({ queue: queueName, ...(await new Queue(pgq, queueName).stats()) });
    }
    context.print(name === undefined ? stats : stats[0], () =>
      stats.length === 0
        ? 'No queues yet: create one with `pgq queue create <name>`'
        : formatTable(stats, [
            { header: 'QUEUE', value: (row) => row.queue },
            { header: 'PENDING', value: (row) => row.pending },
            { header: 'SCHEDULED', value: (row) => row.scheduled },
            { header: 'ACTIVE', value: (row) => row.active },
            { header: 'COMPLETED', value: (row) => row.completed },
            { header: 'DEAD', value: (row) => row.dead },
            { header: 'CANCELLED', value: (row) => row.cancelled },
            {
              header: 'OLDEST PENDING',
              value: (row) =>
                row.oldestPendingMs === null ? '-' : formatDuration(row.oldestPendingMs),
              align: 'right',
            },
          ]),
    );
  });
}

/**
 * Throws `QueueNotFoundError` unless the queue exists: some `Queue` methods answer an unknown
 * queue with an empty result, which would read as "no jobs" to a person.
 *
 * @example
 * ```ts
 * await assertQueueExists(context, 'emails');
 * ```
 */
export async function assertQueueExists(context: CliContext, name: string): Promise<void> {
  const found = await listQueues(await context.connect(), { name });
  if (found.length === 0) throw new QueueNotFoundError(name);
}

function refused(context: CliContext): void {
  context.exitCode = ExitCode.failed;
  context.io.stderr.write('Nothing was changed.\n');
}
