import { assertChannel } from './channel-pattern.js';
import { MessageKey } from './message-key.js';

/** How a payload travels: JSON text (parsed on receipt) or a string (handed over as is). */
export type PayloadKind = 'json' | 'string';

/**
 * One message on the wire. The NOTIFY payload is a one-line header and the body:
 *
 * ```text
 * 2<32 hex: tag>jmfx3k2a0 3f9c2a81d0b4:17 events.user_signup
 * {"userId":42}
 * ```
 *
 * `2` is the format version; then the tag (`MessageKey`) over everything else (the version
 * and what follows the tag); the kind letter, `j` (JSON) or `s` (string), upper case when
 * the body is stored in `pubsub_payloads` and the line below holds its id instead; the
 * publish time (milliseconds since the epoch, base 36, publisher's clock); the message id
 * (`<publisher>:<sequence, base 36>`); and the pgq channel (NOTIFY channels may be hashed,
 * so the name travels here). The tag covers the stored body's id together with the channel
 * and message id, so a reference cannot be pointed at another message's body. The id also
 * keeps two equal messages apart: PostgreSQL folds identical notifications sent in one
 * transaction into one.
 */
export interface Envelope {
  id: string;
  channel: string;
  kind: PayloadKind;
  /** True when `body` is the id of a `pubsub_payloads` row rather than the payload. */
  stored: boolean;
  /** When it was published: milliseconds since the epoch, by the publisher's clock. */
  sentAt: number;
  body: string;
}

/** Why a notification is not a genuine pgq message (see `RejectionReason`). */
export type EnvelopeProblem = 'old-format' | 'malformed' | 'forged' | 'invalid-channel';

const formatVersion = '2';
const kindCodes = { json: 'j', string: 's' } as const;
const tagEnd = 1 + MessageKey.tagLength;
// A publisher's id, a colon, its sequence number in base 36 (a safe integer).
const messageIdPattern = /^[A-Za-z0-9_-]{1,32}:[0-9a-z]{1,10}$/;
const timePattern = /^[0-9a-z]{1,10}$/;

/** The envelope's text after the tag, without the body: its length counts toward NOTIFY's limit. */
export function envelopeHead(envelope: Omit<Envelope, 'body'>): string {
  const code = kindCodes[envelope.kind];
  return `${envelope.stored ? code.toUpperCase() : code}${envelope.sentAt.toString(36)} ${envelope.id} ${envelope.channel}\n`;
}

/** Characters the version and the tag add to `envelopeHead(…) + body`. */
export const sealLength = tagEnd;

/** The NOTIFY payload of `head + body` (`envelopeHead`'s text and the body): version, tag, text. */
export function sealEnvelope(key: MessageKey, rest: string): string {
  return formatVersion + key.tag(formatVersion, rest) + rest;
}

/**
 * Parses NOTIFY payload text and checks its tag: the envelope, or why it is not a genuine
 * pgq message. Cheap checks of the layout come first, the tag next, the channel last (only
 * a key holder gets that far).
 */
export function decodeEnvelope(text: string, key: MessageKey): Envelope | EnvelopeProblem {
  if (text[0] !== formatVersion) return text[0] === '1' ? 'old-format' : 'malformed';
  const code = text[tagEnd];
  const kind = code === 'j' || code === 'J' ? 'json' : code === 's' || code === 'S' ? 'string' : '';
  if (!kind) return 'malformed';
  const newline = text.indexOf('\n', tagEnd);
  const timeEnd = text.indexOf(' ', tagEnd);
  const idEnd = text.indexOf(' ', timeEnd + 1);
  if (newline === -1 || timeEnd === -1 || idEnd === -1 || idEnd > newline) return 'malformed';
  const time = text.slice(tagEnd + 1, timeEnd);
  const id = text.slice(timeEnd + 1, idEnd);
  if (!timePattern.test(time) || !messageIdPattern.test(id)) return 'malformed';
  if (!key.verify(text.slice(1, tagEnd), formatVersion, text.slice(tagEnd))) return 'forged';
  const channel = text.slice(idEnd + 1, newline);
  try {
    assertChannel(channel);
  } catch {
    return 'invalid-channel';
  }
  return {
    kind,
    stored: code === 'J' || code === 'S',
    sentAt: Number.parseInt(time, 36),
    id,
    channel,
    body: text.slice(newline + 1),
  };
}
