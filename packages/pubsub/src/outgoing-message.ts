import { randomUUID } from 'node:crypto';
import { PayloadTooLargeError, ValidationError } from '@pgq/core';
import { textProblem } from '@pgq/core/internal';
import { fanOutRoute } from './channel-pattern.js';
import { envelopeHead, type PayloadKind, sealEnvelope, sealLength } from './envelope.js';
import type { MessageKey } from './message-key.js';
import type { OutgoingMessage } from './sql/messages-notify.js';

/** A payload turned into the text that travels: checked, not yet signed. */
export interface EncodedPayload {
  kind: PayloadKind;
  body: string;
  /** UTF-8 bytes of `body`. */
  size: number;
}

/** What `prepareMessage` needs besides the payload. */
export interface PrepareOptions {
  /** A checked channel name. */
  channel: string;
  /** Unique per message: `<publisher>:<sequence in base 36>`. */
  id: string;
  /** Signs the envelope. */
  key: MessageKey;
  wildcardFanOut: boolean;
  /** Maps a pgq channel (or fan-out route) to its NOTIFY channel. */
  notifyChannel: (route: string) => string;
}

// NOTIFY refuses payloads of 8000 bytes or more.
const maxNotifyBytes = 7_999;

/**
 * Turns a payload into the text that travels: a string as it is, anything else as JSON.
 * Throws `ValidationError` (not JSON, or a string PostgreSQL cannot hold) and
 * `PayloadTooLargeError` (over `maxPayloadBytes`) before anything is read or sent.
 *
 * @example
 * ```ts
 * const payload = encodePayload({ userId: 42 }, 1_048_576); // { kind: 'json', body: '{"userId":42}', size: 13 }
 * ```
 */
export function encodePayload(payload: unknown, maxPayloadBytes: number): EncodedPayload {
  const kind: PayloadKind = typeof payload === 'string' ? 'string' : 'json';
  const body = kind === 'string' ? checkString(payload as string) : toJson(payload);
  const size = Buffer.byteLength(body);
  if (size > maxPayloadBytes) throw new PayloadTooLargeError(size, maxPayloadBytes);
  return { kind, body, size };
}

/**
 * Turns an encoded payload into the signed NOTIFYs that carry it: the envelope inline when
 * it fits in NOTIFY's limit, otherwise a reference to a stored body. The same envelope goes
 * to the channel and, for a dotted channel, to its fan-out route, so large and small
 * messages travel the same path and keep their order.
 *
 * @example
 * ```ts
 * const message = prepareMessage(encodePayload({ userId: 42 }, limit), { channel: 'events.user_signup', id, key, wildcardFanOut: true, notifyChannel });
 * ```
 */
export function prepareMessage(
  { kind, body, size }: EncodedPayload,
  options: PrepareOptions,
): OutgoingMessage {
  const { channel, id } = options;
  const sentAt = Date.now();
  const head = envelopeHead({ id, channel, kind, stored: false, sentAt });
  let envelope: string;
  let stored: OutgoingMessage['stored'];
  if (sealLength + head.length + size <= maxNotifyBytes) {
    envelope = sealEnvelope(options.key, head + body);
  } else {
    stored = { id: randomUUID(), channel, payload: body };
    envelope = sealEnvelope(
      options.key,
      envelopeHead({ id, channel, kind, stored: true, sentAt }) + stored.id,
    );
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
