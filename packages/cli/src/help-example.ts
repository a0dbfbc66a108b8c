import type { Command } from 'commander';

/**
 * Adds an "Example" section to a command's `--help`: every `pgq` command shows at least one.
 *
 * @example
 * ```ts
 * withExample(program.command('migrate'), 'pgq migrate --database-url postgres://localhost/app');
 * ```
 */
export function withExample(command: Command, ...examples: string[]): Command {
  const title = examples.length > 1 ? 'Examples' : 'Example';
  const lines = examples.map((example) => `  $ ${example}`).join('\n');
  return command.addHelpText('after', `\n${title}:\n${lines}\n`);
}
