import { latestVersion, migrate, uninstall, verify } from '@pgq/migrate';
import type { Command } from 'commander';
import type { CliContext } from '../cli-context.js';
import { confirm } from '../confirm.js';
import { ExitCode } from '../describe-error.js';
import { withExample } from '../help-example.js';

/**
 * `pgq migrate`, `pgq verify` and `pgq uninstall`: install, check and remove pgq's tables.
 *
 * @example
 * ```ts
 * registerSchemaCommands(program, context);
 * ```
 */
export function registerSchemaCommands(program: Command, context: CliContext): void {
  withExample(
    program
      .command('migrate')
      .description('install or upgrade pgq in the schema (idempotent; safe to run concurrently)'),
    'pgq migrate --database-url postgres://localhost:5432/app --schema pgq',
  ).action(async () => {
    const pgq = await context.connect();
    const result = await migrate(pgq);
    context.print({ schema: pgq.schema, ...result }, ({ applied, version }) =>
      applied.length === 0
        ? `Schema "${pgq.schema}" is up to date (version ${version})`
        : `Applied ${applied.map((migration) => migration.name).join(', ')} to schema "${pgq.schema}" (version ${version})`,
    );
  });

  withExample(
    program
      .command('verify')
      .description(
        'check that every migration is applied and every object is there (exit 1 if not)',
      ),
    'pgq verify --schema pgq && echo installed',
  ).action(async () => {
    const pgq = await context.connect();
    const result = await verify(pgq);
    if (!result.ok) context.exitCode = ExitCode.failed;
    context.print({ schema: pgq.schema, ...result }, ({ ok, installedVersion, problems }) =>
      ok
        ? `OK: schema "${pgq.schema}" is at version ${installedVersion} of ${latestVersion}`
        : [
            `Problems in schema "${pgq.schema}" (version ${installedVersion} of ${latestVersion}):`,
            ...problems.map((problem) => `  - ${problem}`),
          ].join('\n'),
    );
  });

  withExample(
    program
      .command('uninstall')
      .description('drop every pgq object from the schema: all jobs, messages and cache entries')
      .option('-y, --yes', 'do not ask for confirmation (required when stdin is not a terminal)'),
    'pgq uninstall --schema pgq_staging --yes',
  ).action(async (options: { yes?: boolean }) => {
    const { schema } = context.config();
    const question = `Drop every pgq object in schema "${schema}", with all its jobs, messages and cache entries?`;
    if (!(await confirm(context.io, question, options.yes))) {
      context.exitCode = ExitCode.failed;
      context.io.stderr.write('Nothing was dropped.\n');
      return;
    }
    const pgq = await context.connect();
    await uninstall(pgq);
    context.print({ schema, uninstalled: true }, () => `Uninstalled pgq from schema "${schema}"`);
  });
}
