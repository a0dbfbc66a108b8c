import type { Command } from 'commander';
import type { CliContext } from '../cli-context.js';
import { hidePassword } from '../database-url.js';
import { formatTable } from '../format-table.js';
import { withExample } from '../help-example.js';

/**
 * `pgq config`: the settings a command would use and where each came from (flag,
 * environment, `pgq.config.json`, default). Connects to nothing; hides the password.
 *
 * @example
 * ```ts
 * registerConfigCommand(program, context);
 * ```
 */
export function registerConfigCommand(program: Command, context: CliContext): void {
  withExample(
    program
      .command('config')
      .description('show the database URL and schema in effect, and where each came from'),
    'pgq config',
    'PGQ_SCHEMA=staging pgq config --json',
  ).action(() => {
    const config = context.config();
    const view = {
      databaseUrl: config.databaseUrl === undefined ? null : hidePassword(config.databaseUrl),
      schema: config.schema,
      sources: config.sources,
      configFile: config.configFile ?? null,
    };
    context.print(view, () =>
      formatTable(
        [
          {
            setting: 'database url',
            value: view.databaseUrl ?? `(pg defaults: ${context.address()})`,
            source: view.sources.databaseUrl,
          },
          { setting: 'schema', value: view.schema, source: view.sources.schema },
        ],
        [
          { header: 'SETTING', value: (row) => row.setting },
          { header: 'VALUE', value: (row) => row.value },
          { header: 'FROM', value: (row) => row.source },
        ],
      ),
    );
  });
}
