import { Command } from 'commander';
import packageJson from '../package.json' with { type: 'json' };
import type { CliContext } from './cli-context.js';
import { registerCacheCommands } from './commands/cache-commands.js';
import { registerConfigCommand } from './commands/config-command.js';
import { registerDashboardCommand } from './commands/dashboard-command.js';
import { registerJobCommands } from './commands/job-commands.js';
import { registerPubSubCommands } from './commands/pubsub-commands.js';
import { registerQueueCommands } from './commands/queue-commands.js';
import { registerScheduleCommands } from './commands/schedule-commands.js';
import { registerSchemaCommands } from './commands/schema-commands.js';
import { registerWorkersCommand } from './commands/workers-command.js';
import { withExample } from './help-example.js';

/**
 * Builds the `pgq` command tree on `context`. Parsing errors throw (`exitOverride`) rather
 * than exit, so `run()` decides the exit code; each command reports them as one line that
 * points at its own `--help`.
 *
 * @example
 * ```ts
 * const program = createProgram(new CliContext(processIo()));
 * await program.parseAsync(['queue', 'list'], { from: 'user' });
 * ```
 */
export function createProgram(context: CliContext): Command {
  const program = withExample(
    new Command('pgq')
      .description(
        'Operate pgq: migrations, queues, jobs, schedules, pub/sub, cache, workers and a live dashboard.',
      )
      .version(packageJson.version, '-V, --version', 'print the version')
      .option(
        '--database-url <url>',
        'PostgreSQL URL (default: env PGQ_DATABASE_URL, DATABASE_URL, then pgq.config.json)',
      )
      .option(
        '--schema <name>',
        'schema pgq lives in (default: env PGQ_SCHEMA, pgq.config.json, "pgq")',
      )
      .option('--json', 'print JSON for machines instead of tables for people')
      .helpOption('-h, --help', 'show help for a command')
      .showSuggestionAfterError()
      .exitOverride(),
    'pgq --database-url postgres://localhost:5432/app migrate',
    'pgq queue stats --json',
  );
  program.hook('preAction', (_program, action) => {
    context.setGlobalOptions(action.optsWithGlobals());
  });

  registerSchemaCommands(program, context);
  registerQueueCommands(program, context);
  registerJobCommands(program, context);
  registerScheduleCommands(program, context);
  registerPubSubCommands(program, context);
  registerCacheCommands(program, context);
  registerWorkersCommand(program, context);
  registerDashboardCommand(program, context);
  registerConfigCommand(program, context);

  routeOutput(program, context);
  return program;
}

/**
 * The full name of a command as typed.
 *
 * @example
 * ```ts
 * commandPath(sendCommand); // 'pgq job send'
 * ```
 */
export function commandPath(command: Command): string {
  const names: string[] = [];
  for (let current: Command | null = command; current; current = current.parent) {
    names.unshift(current.name());
  }
  return names.join(' ');
}

// Every command writes help to stdout and errors, as one line with a pointer to its own
// help, to stderr. Set on each command because the hint names the command.
function routeOutput(command: Command, context: CliContext): void {
  const path = commandPath(command);
  command.configureOutput({
    writeOut: (text) => context.io.stdout.write(text),
    writeErr: (text) => context.io.stderr.write(text),
    outputError: (text, write) =>
      write(`${text.replace(/\s*\n\s*/g, ' ').trim()} (see \`${path} --help\`)\n`),
  });
  for (const subcommand of command.commands) routeOutput(subcommand, context);
}
