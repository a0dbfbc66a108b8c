import { createInterface } from 'node:readline/promises';
import type { CliIo } from './cli-io.js';
import { UsageError } from './errors/usage-error.js';

/**
 * Makes sure a destructive command is meant: `--yes` goes ahead; on a terminal the user is
 * asked; otherwise (a script without `--yes`) it refuses with a `UsageError`.
 * Resolves to false when the user answered no.
 *
 * @example
 * ```ts
 * if (!(await confirm(context.io, 'Drop every pgq object in schema "pgq"?', options.yes))) return;
 * ```
 */
export async function confirm(
  io: CliIo,
  question: string,
  yes: boolean | undefined,
): Promise<boolean> {
  if (yes) return true;
  if (!io.stdin.isTTY) {
    throw new UsageError(`${question} Refusing without --yes (stdin is not a terminal)`);
  }
  const prompt = createInterface({ input: io.stdin, output: io.stderr });
  try {
    const answer = await prompt.question(`${question} [y/N] `);
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    prompt.close();
  }
}
