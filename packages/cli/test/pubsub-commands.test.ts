import { PubSub } from '@pgq/pubsub';
import { describe, expect, it } from 'vitest';
import { setupCliDatabase } from './cli-database.js';
import { runCli, startCli, watch } from './pgq-cli.js';

const cli = setupCliDatabase();

describe('pgq publish | listen', () => {
  it('streams each message as one line until Ctrl-C, then exits 0', async () => {
    const child = startCli(['listen', 'events.user_signup', ...cli.on]);
    const listener = watch(child);
    await listener.waitFor('stderr', /Listening on events\.user_signup/);

    const [published, text] = await Promise.all([
      runCli(['publish', 'events.user_signup', '{"userId":42}', ...cli.on]),
      runCli(['publish', 'events.other', '{"userId":0}', ...cli.on]),
    ]);
    expect(published).toMatchObject({
      code: 0,
      stderr: '',
      stdout: 'Published to events.user_signup\n',
    });
    expect(text.code).toBe(0);
    const bus = new PubSub(cli.db.pgq);
    await bus.publish('events.user_signup', 'plain text');
    await bus.close();
    await listener.waitFor('stdout', /plain text/);

    child.kill('SIGINT');
    const result = await listener.done;
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(
      'events.user_signup {"userId":42}\nevents.user_signup "plain text"\n',
    );
  });

  it('writes JSON lines with --json, follows wildcards, and ends cleanly on SIGTERM', async () => {
    const child = startCli(['listen', 'events.>', '--json', ...cli.on]);
    const listener = watch(child);
    await listener.waitFor('stderr', /Listening/);
    const published = await runCli([
      'publish',
      'events.user.deleted',
      '"bye"',
      '--json',
      ...cli.on,
    ]);
    expect(JSON.parse(published.stdout)).toEqual({
      channel: 'events.user.deleted',
      published: true,
    });
    await runCli(['publish', 'chat.room', 'not for us', '--text', ...cli.on]);
    await runCli(['publish', 'events.text', 'hello there', '--text', ...cli.on]);
    await listener.waitFor('stdout', /hello there/);

    child.kill('SIGTERM');
    const result = await listener.done;
    expect(result.code).toBe(0);
    const lines = result.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(lines).toEqual([
      expect.objectContaining({ channel: 'events.user.deleted', payload: 'bye' }),
      expect.objectContaining({ channel: 'events.text', payload: 'hello there' }),
    ]);
    expect(typeof lines[0].receivedAt).toBe('string');
  });

  it('refuses a bad channel name as bad usage', async () => {
    const result = await runCli(['publish', 'bad channel', '{}', ...cli.on]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^error: Invalid channel name "bad channel"/);
  });
});
