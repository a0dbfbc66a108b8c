import { CommanderError } from 'commander';
import { CliContext } from './cli-context.js';
import { type CliIo, processIo } from './cli-io.js';
import { describeError, ExitCode } from './describe-error.js';
import { createProgram } from './program.js';
import { terminalText } from './terminal-text.js';

/**
 * Runs one `pgq` command line and resolves to its exit code: 0 done, 1 failed, 2 bad usage.
 * Errors are printed as one line on stderr (a stack trace only with `PGQ_DEBUG=1`); the
 * connection is closed whatever happened.
 *
 * @example
 * ```ts
 * process.exitCode = await run(['queue', 'list', '--json']);
 * ```
 */
export async function run(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
  const context = new CliContext(io);
  const program = createProgram(context);
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return context.exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Commander has already printed its message (or the help) through routeOutput. Its exit
      // code is 0 for help and version and 1 for any mistake, which is bad usage here.
      return error.exitCode === 0 ? ExitCode.done : ExitCode.usage;
    }
    const translated = context.translateError(error);
    const { message, exitCode } = describeError(translated);
    // The message may carry a job's error or a name from the database: escaped.
    io.stderr.write(`error: ${terminalText(message, { oneLine: true })}\n`);
    if (io.env.PGQ_DEBUG && translated instanceof Error) io.stderr.write(`${translated.stack}\n`);
    return exitCode;
  } finally {
    await context.close();
  }
}
