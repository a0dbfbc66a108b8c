import type { Command } from 'commander';
import { beforeAll, describe, expect, it } from 'vitest';
import { CliContext } from '../src/cli-context.js';
import type { CliIo } from '../src/cli-io.js';
import { commandPath, createProgram } from '../src/program.js';
import { assertBuilt, runCli } from './pgq-cli.js';

beforeAll(() => {
  assertBuilt();
});

function allCommands(command: Command): Command[] {
  return [command, ...command.commands.flatMap(allCommands)];
}

function helpOf(command: Command): string {
  let text = '';
  command.configureOutput({
    writeOut: (chunk) => {
      text += chunk;
    },
  });
  command.outputHelp();
  return text;
}

const nowhere = { write: () => true } as unknown as NodeJS.WritableStream;
const io: CliIo = {
  stdout: nowhere,
  stderr: nowhere,
  stdin: process.stdin,
  env: {},
  cwd: process.cwd(),
  untilInterrupted: () => new Promise(() => {}),
};

describe('help', () => {
  it('shows a description and an example on every command', () => {
    const commands = allCommands(createProgram(new CliContext(io))).filter(
      (command) => command.name() !== 'help',
    );
    const paths = commands.map(commandPath);
    expect(paths).toEqual(
      expect.arrayContaining([
        'pgq migrate',
        'pgq verify',
        'pgq uninstall',
        'pgq queue create',
        'pgq queue list',
        'pgq queue delete',
        'pgq queue purge',
        'pgq queue stats',
        'pgq job send',
        'pgq job list',
        'pgq job show',
        'pgq job retry',
        'pgq job cancel',
        'pgq publish',
        'pgq listen',
        'pgq cache get',
        'pgq cache set',
        'pgq cache delete',
        'pgq cache stats',
        'pgq workers',
        'pgq dashboard',
        'pgq config',
      ]),
    );
    for (const command of commands) {
      const help = helpOf(command);
      expect(help, commandPath(command)).toMatch(/\nExamples?:\n {2}\$ pgq /);
      expect(command.description(), commandPath(command)).not.toBe('');
    }
  });

  it('prints --help of the real binary on stdout with exit 0', async () => {
    const [root, send, listen] = await Promise.all([
      runCli(['--help']),
      runCli(['job', 'send', '--help']),
      runCli(['help', 'listen']),
    ]);
    expect(root).toMatchObject({ code: 0, stderr: '' });
    expect(root.stdout).toContain('Usage: pgq [options] [command]');
    expect(root.stdout).toContain('--database-url <url>');
    expect(send).toMatchObject({ code: 0, stderr: '' });
    expect(send.stdout).toContain('Usage: pgq job send [options] <queue> <json>');
    expect(send.stdout).toContain('--delay <duration>');
    expect(send.stdout).toContain(`$ pgq job send emails '{"to":"ada@example.com"}' --delay 30s`);
    expect(listen.code).toBe(0);
    expect(listen.stdout).toContain('Example');
  });

  it('prints the version', async () => {
    const result = await runCli(['--version']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^\d+\.\d+\.\d+/);
  });
});

describe('bad usage exits 2 with one line naming the command to get help for', () => {
  it.concurrent.for([
    [['queu', 'list'], "error: unknown command 'queu' (Did you mean queue?) (see `pgq --help`)"],
    [['migrate', '--bogus'], "error: unknown option '--bogus' (see `pgq migrate --help`)"],
    [
      ['job', 'send', 'emails'],
      "error: missing required argument 'json' (see `pgq job send --help`)",
    ],
    [['verify', 'extra'], 'error: too many arguments for'],
    [
      ['job', 'send', 'emails', '{"to":', '--database-url', 'postgres://127.0.0.1:1/x'],
      'error: Invalid JSON for <json>:',
    ],
    [['publish', 'events.x', 'hello'], `a string must be quoted: '"hello"'`],
    [
      ['job', 'send', 'emails', '{}', '--delay', 'soon'],
      `error: option '--delay <duration>' argument 'soon' is invalid. Invalid duration "soon"`,
    ],
    [['job', 'send', 'emails', '{}', '--priority', '1.5'], 'must be an integer'],
    [['job', 'list', 'emails', '--state', 'lost'], 'Allowed choices are pending, scheduled'],
    [['queue', 'create', 'bad name'], 'error: Invalid queue name "bad name"'],
    [
      ['job', 'show', 'abc', '--database-url', 'postgres://127.0.0.1:1/x'],
      'error: Invalid job id "abc"',
    ],
    [['cache', 'set', 'k', '1', '--ttl', '0'], 'error: --ttl must be above 0'],
    [
      ['verify', '--database-url', 'localhost'],
      'error: Invalid database URL "localhost" from --database-url: expected postgres://',
    ],
  ] as Array<[string[], string]>)('pgq %j', async ([args, message], { expect }) => {
    const result = await runCli(args);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(message);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.code).toBe(2);
  });

  it('shows the help of a command group on stderr when its subcommand is missing', async () => {
    const result = await runCli(['queue']);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('Usage: pgq queue [options] [command]');
  });
});
