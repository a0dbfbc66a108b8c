import { type Message, PubSub } from '@pgq/pubsub';
import type { Command } from 'commander';
import { parseJsonArgument } from '../argument-parsers.js';
import type { CliContext } from '../cli-context.js';
import { withExample } from '../help-example.js';
import { terminalJson, terminalText } from '../terminal-text.js';

/**
 * `pgq publish <channel> <json>` and `pgq listen <channel>`.
 *
 * @example
 * ```ts
 * registerPubSubCommands(program, context);
 * ```
 */
export function registerPubSubCommands(program: Command, context: CliContext): void {
  withExample(
    program
      .command('publish')
      .description('publish a message (a JSON value; a string with --text) on a channel')
      .argument('<channel>', 'channel name, e.g. events.user_signup')
      .argument('<json>', 'the payload as JSON')
      .option('--text', 'send <json> as a plain string instead of parsing it'),
    `pgq publish events.user_signup '{"userId":42}'`,
    `pgq publish chat.room1 'hello' --text`,
  ).action(async (channel: string, text: string, options: { text?: boolean }) => {
    const payload = options.text ? text : parseJsonArgument(text);
    const bus = new PubSub(await context.connect());
    try {
      await bus.publish(channel, payload);
    } finally {
      await bus.close();
    }
    context.print({ channel, published: true }, () => `Published to ${channel}`);
  });

  withExample(
    program
      .command('listen')
      .description(
        'print every message on a channel (wildcards: events.* one segment, events.> any) until Ctrl-C',
      )
      .argument('<channel>', 'channel or pattern'),
    'pgq listen events.user_signup',
    `pgq listen 'events.>' --json | jq .payload`,
  ).action(async (channel: string) => {
    // Watch for Ctrl-C before subscribing, so one pressed early still ends cleanly.
    const interrupted = context.io.untilInterrupted();
    const bus = new PubSub(await context.connect());
    // Channel and payload come from whoever sent the NOTIFY: escaped, they cannot drive the terminal.
    const write = (message: Message) => {
      const line = context.json
        ? terminalJson(
            JSON.stringify({
              channel: message.channel,
              payload: message.payload,
              id: message.id,
              receivedAt: new Date().toISOString(),
            }),
          )
        : terminalText(`${message.channel} ${JSON.stringify(message.payload)}`, { oneLine: true });
      context.io.stdout.write(`${line}\n`);
    };
    bus.on('error', (error) =>
      context.io.stderr.write(`warning: ${terminalText(error.message, { oneLine: true })}\n`),
    );
    bus.on('reconnected', () =>
      context.io.stderr.write('warning: reconnected; messages sent meanwhile were missed\n'),
    );
    try {
      const subscription = await bus.subscribe(channel, write);
      subscription.on('overflow', ({ dropped }) =>
        context.io.stderr.write(`warning: output is slow; ${dropped} messages dropped so far\n`),
      );
      context.io.stderr.write(`Listening on ${channel} (Ctrl-C to stop)\n`);
      await interrupted;
    } finally {
      await bus.close();
    }
  });
}
