// Issue 26: any login may put text into what the CLI prints (a pub/sub payload, a job's error,
// a worker's host name). None of it may reach the terminal as control characters: ESC starts
// every escape sequence (screen clears, window titles, OSC 52 clipboard writes), U+009B is a
// one-character CSI, U+202E reverses the text that follows.
import { PubSub } from '@pgq/pubsub';
import { Queue } from '@pgq/queue';
import { describe, expect, it } from 'vitest';
import { setupCliDatabase } from './cli-database.js';
import { runCli, startCli, watch } from './pgq-cli.js';

const cli = setupCliDatabase();

// A screen clear, a window title (OSC ... BEL), an 8-bit CSI, a right-to-left override, a
// carriage return that would overwrite the line.
const hostile = '\u001b[2J\u001b]0;pwned\u0007\u009b31m\u202eevil\rfake';
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding raw control characters is the point.
const rawControls = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202e]/;

describe('control characters from the database are printed escaped', () => {
  it('pgq listen, as text and as JSON lines', async () => {
    const text = watch(startCli(['listen', 'events.>', ...cli.on]));
    const json = watch(startCli(['listen', 'events.>', '--json', ...cli.on]));
    await text.waitFor('stderr', /Listening/);
    await json.waitFor('stderr', /Listening/);
    const bus = new PubSub(cli.db.pgq);
    await bus.publish('events.evil', hostile);
    await bus.close();
    await text.waitFor('stdout', /evil/);
    await json.waitFor('stdout', /evil/);
    expect(text.stdout()).not.toMatch(rawControls);
    expect(text.stdout()).toContain('\\u001b[2J');
    expect(text.stdout()).toContain('\\x9b31m\\u202eevil\\rfake');
    expect(json.stdout()).not.toMatch(rawControls);
    // Still JSON, and the same value once parsed.
    expect(JSON.parse(json.stdout().trim())).toMatchObject({ payload: hostile });
  });

  it("pgq job show and job list, with a job's error", async () => {
    const queue = new Queue(cli.db.pgq, 'escapes');
    await queue.create({ maxAttempts: 1 });
    const { id } = await queue.enqueue({ note: hostile });
    const job = await queue.dequeue();
    await queue.fail(job!, new Error(`${hostile}\nstate     completed`));
    const [shown, listed, asJson] = await Promise.all([
      runCli(['job', 'show', id, '--queue', 'escapes', ...cli.on]),
      runCli(['job', 'list', 'escapes', ...cli.on]),
      runCli(['job', 'show', id, '--queue', 'escapes', '--json', ...cli.on]),
    ]);
    for (const result of [shown, listed, asJson]) {
      expect(result.code).toBe(0);
      expect(result.stdout).not.toMatch(rawControls);
    }
    // The error's line break cannot fake a field: it stays on the error's line.
    expect(shown.stdout).toMatch(/^last error {2}Error: .*\\nstate {5}completed$/m);
    expect(shown.stdout.match(/^state /gm)).toHaveLength(1);
    expect(listed.stdout).toContain('\\u001b[2J');
    expect(JSON.parse(asJson.stdout).lastError.message).toBe(`${hostile}\nstate     completed`);
  });

  it('pgq workers and pgq dashboard --once, with a host name a worker login wrote', async () => {
    await cli.db.pgq.query(
      `insert into ${cli.db.pgq.table('workers')} (id, hostname, pid, queues, started_at, last_seen_at)
       values ($1, $2, 4242, '{escapes}', now(), now())`,
      [`w-${hostile}`, `host-${hostile}`],
    );
    const [workers, dashboard] = await Promise.all([
      runCli(['workers', ...cli.on]),
      runCli(['dashboard', '--once', ...cli.on]),
    ]);
    for (const result of [workers, dashboard]) {
      expect(result.code).toBe(0);
      expect(result.stdout).toContain('host-\\x1b[2J');
      expect(result.stdout).not.toMatch(rawControls);
    }
  });
});
