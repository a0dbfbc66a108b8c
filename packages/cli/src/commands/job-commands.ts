import { type Job, locateJob, Queue } from '@pgq/queue';
import { type Command, Option } from 'commander';
import {
  durationOption,
  integerOption,
  parseJsonArgument,
  positiveIntegerOption,
} from '../argument-parsers.js';
import type { CliContext } from '../cli-context.js';
import { NotFoundError } from '../errors/not-found-error.js';
import { UsageError } from '../errors/usage-error.js';
import { formatTable } from '../format-table.js';
import { withExample } from '../help-example.js';
import { formatJob, jobWhen } from './format-job.js';
import { assertQueueExists } from './queue-commands.js';
import { queueNameArgument } from './queue-name-argument.js';

interface SendOptions {
  delay?: number;
  priority?: number;
  uniqueKey?: string;
  maxAttempts?: number;
}

const jobStates = ['pending', 'scheduled', 'active', 'completed', 'dead', 'cancelled'];

/**
 * `pgq job send | list | show | retry | cancel`.
 *
 * @example
 * ```ts
 * registerJobCommands(program, context);
 * ```
 */
export function registerJobCommands(program: Command, context: CliContext): void {
  const job = withExample(
    program.command('job').description('send, list, inspect, retry and cancel jobs'),
    `pgq job send emails '{"to":"ada@example.com"}'`,
    'pgq job list emails --state dead',
  );
  const queueOption = () =>
    new Option(
      '-q, --queue <name>',
      "the job's queue (skips looking it up; needed when the id is in two queues)",
    ).argParser(queueNameArgument);

  withExample(
    job
      .command('send')
      .description('enqueue a job')
      .argument('<queue>', 'queue name', queueNameArgument)
      .argument('<json>', 'the payload as JSON')
      .option(
        '--delay <duration>',
        'run no earlier than this from now: 1500ms, 30s, 5m, 2h',
        durationOption,
      )
      .option('--priority <n>', 'higher runs first (default 0)', integerOption)
      .option('--unique-key <key>', 'at most one live job per key: returns the existing one')
      .option(
        '--max-attempts <n>',
        "attempts before the job is dead (default: the queue's)",
        positiveIntegerOption,
      ),
    `pgq job send emails '{"to":"ada@example.com"}' --delay 30s --priority 5`,
    `pgq job send reports '{"day":"2025-01-31"}' --unique-key report:2025-01-31`,
  ).action(async (queueName: string, text: string, options: SendOptions) => {
    const payload = parseJsonArgument(text);
    const queue = new Queue(await context.connect(), queueName);
    const result = await queue.enqueue(payload, {
      ...(options.delay === undefined ? {} : { delayMs: options.delay }),
      ...(options.priority === undefined ? {} : { priority: options.priority }),
      ...(options.uniqueKey === undefined ? {} : { uniqueKey: options.uniqueKey }),
      ...(options.maxAttempts === undefined ? {} : { maxAttempts: options.maxAttempts }),
    });
    context.print({ queue: queueName, ...result }, ({ id, deduplicated }) =>
      deduplicated
        ? `Job ${id} with unique key "${options.uniqueKey}" is already live in "${queueName}": nothing sent`
        : `Sent job ${id} to "${queueName}"`,
    );
  });

  withExample(
    job
      .command('list')
      .description("list a queue's jobs, newest first")
      .argument('<queue>', 'queue name', queueNameArgument)
      .addOption(new Option('--state <state>', 'only jobs in this state').choices(jobStates))
      .option('--limit <n>', 'at most this many (1-1000)', positiveIntegerOption, 50),
    'pgq job list emails --state dead --limit 20',
  ).action(
    async (queueName: string, options: { state?: Job['state'] | 'scheduled'; limit: number }) => {
      if (options.limit > 1_000) throw new UsageError('--limit must be at most 1000');
      await assertQueueExists(context, queueName);
      const jobs = await new Queue(await context.connect(), queueName).list({
        ...(options.state === undefined ? {} : { state: options.state }),
        limit: options.limit,
      });
      context.print(jobs, (rows) =>
        rows.length === 0
          ? `No ${options.state ? `${options.state} ` : ''}jobs in "${queueName}"`
          : formatTable(rows, [
              { header: 'ID', value: (row) => row.id, align: 'right' },
              { header: 'STATE', value: (row) => row.state },
              {
                header: 'ATTEMPTS',
                value: (row) => `${row.attempts}/${row.maxAttempts}`,
                align: 'right',
              },
              { header: 'PRIORITY', value: (row) => row.priority },
              { header: 'WHEN', value: (row) => jobWhen(row) },
              { header: 'PAYLOAD', value: (row) => truncate(JSON.stringify(row.payload), 40) },
              { header: 'LAST ERROR', value: (row) => truncate(row.lastError?.message ?? '', 40) },
            ]),
      );
    },
  );

  withExample(
    job
      .command('show')
      .description('show one job: state, payload, attempts, last error, result')
      .argument('<id>', 'job id')
      .addOption(queueOption()),
    'pgq job show 1234',
  ).action(async (id: string, options: { queue?: string }) => {
    const queue = await queueOfJob(context, id, options.queue);
    const found = await queue.get(id);
    if (!found) throw new NotFoundError(`Job ${id} not found in queue "${queue.name}"`);
    context.print(found, formatJob);
  });

  withExample(
    job
      .command('retry')
      .description('send a dead or cancelled job back to pending, with its attempts reset')
      .argument('<id>', 'job id')
      .addOption(queueOption()),
    'pgq job retry 1234',
  ).action(async (id: string, options: { queue?: string }) => {
    const queue = await queueOfJob(context, id, options.queue);
    if (!(await queue.retry(id))) {
      throw new NotFoundError(`Job ${id} is not dead or cancelled: nothing to retry`);
    }
    context.print({ id, queue: queue.name, retried: true }, () => `Job ${id} is pending again`);
  });

  withExample(
    job
      .command('cancel')
      .description('cancel a pending or active job')
      .argument('<id>', 'job id')
      .addOption(queueOption()),
    'pgq job cancel 1234',
  ).action(async (id: string, options: { queue?: string }) => {
    const queue = await queueOfJob(context, id, options.queue);
    if (!(await queue.cancel(id))) {
      throw new NotFoundError(`Job ${id} is not pending or active: nothing to cancel`);
    }
    context.print({ id, queue: queue.name, cancelled: true }, () => `Cancelled job ${id}`);
  });
}

// Without --queue, the queue is looked up from the id; an id found in more than one queue
// (planted there, issue 26) is refused rather than guessed, since the guess could act on the
// wrong job.
async function queueOfJob(
  context: CliContext,
  id: string,
  queueName: string | undefined,
): Promise<Queue> {
  if (!/^\d{1,19}$/.test(id)) throw new UsageError(`Invalid job id "${id}": expected a number`);
  const pgq = await context.connect();
  if (queueName !== undefined) {
    await assertQueueExists(context, queueName);
    return new Queue(pgq, queueName);
  }
  const located = await locateJob(pgq, id);
  if (located.length === 0) throw new NotFoundError(`Job ${id} not found`);
  if (located.length > 1) {
    const names = located.map((name) => `"${name}"`).join(', ');
    throw new UsageError(`Job ${id} is in more than one queue (${names}): name one with --queue`);
  }
  return new Queue(pgq, located[0]!);
}

function truncate(text: string, length: number): string {
  return text.length <= length ? text : `${text.slice(0, length - 1)}…`;
}
