import { randomUUID } from 'node:crypto';
import { PayloadTooLargeError, textProblem, ValidationError } from '@pgq/core';
import { fanOutRoute } from './channel-pattern.js';
import { encodeEnvelope, type PayloadKind } from './envelope.js';
import type { OutgoingMessage } from './sql/messages-notify.js';

/** What `prepareMessage` needs besides the payload. */
export interface PrepareOptions {
  /** A checked channel name. */
  channel: string;
  /** Unique per message. */
  id: string;
  maxPayloadBytes: number;
  wildcardFanOut: boolean;
  /** Maps a pgq channel (or fan-out route) to its NOTIFY channel. */
  notifyChannel: (route: string) => string;
}

// NOTIFY refuses payloads of 8000 bytes or more.
const maxNotifyBytes = 7_999;

/**
 * Turns a payload into the NOTIFYs that carry it: the envelope inline when it fits in
 * NOTIFY's limit, otherwise a reference to a stored body. The same envelope goes to the
 * channel and, for a dotted channel, to its fan-out route, so large and small messages
 * travel the same path and keep their order. Throws before anything is sent.
 *
 * @example
 * ```ts
 * const message = prepareMessage({ userId: 42 }, { channel: 'events.user_signup', id, maxPayloadBytes, wildcardFanOut: true, notifyChannel });
 * ```
 */
export function prepareMessage(payload: unknown, options: PrepareOptions): OutgoingMessage {
  const { channel, id } = options;
  const kind: PayloadKind = typeof payload === 'string' ? 'string' : 'json';
  const body = kind === 'string' ? checkString(payload as string) : toJson(payload);
  const size = Buffer.byteLength(body);
  if (size > options.maxPayloadBytes) throw new PayloadTooLargeError(size, options.maxPayloadBytes);
  const header = encodeEnvelope({ id, channel, kind, stored: false, body: '' });
  let envelope: string;
  let stored: OutgoingMessage['stored'];
  if (Buffer.byteLength(header) + size <= maxNotifyBytes) {
    envelope = header + body;
  } else {
    stored = { id: randomUUID(), channel, payload: body };
    envelope = encodeEnvelope({ id, channel, kind, stored: true, body: stored.id });
  }
  const routes = [channel];
  const fanOut = options.wildcardFanOut ? fanOutRoute(channel) : undefined;
  if (fanOut) routes.push(fanOut);
  return {
    notifications: routes.map((route) => ({
      channel: options.notifyChannel(route),
      payload: envelope,
    })),
    stored,
    bytes: envelope.length * routes.length + (stored ? size : 0),
  };
}

function checkString(payload: string): string {
  // Fail here, before anything is sent: NUL cannot be sent, a lone surrogate would arrive as U+FFFD.
  const problem = textProblem(payload);
  if (problem) throw new ValidationError(`A string payload ${problem}`);
  return payload;
}

function toJson(payload: unknown): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(payload);
  } catch (error) {
    throw new ValidationError(`Payload is not JSON: ${(error as Error).message}`, [], {
      cause: error,
    });
  }
  if (text === undefined) {
    throw new ValidationError(`Payload is not JSON: ${typeof payload} has no JSON form`);
  }
  return text;
}
