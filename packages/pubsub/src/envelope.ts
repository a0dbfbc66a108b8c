/** How a payload travels: JSON text (parsed on receipt) or a string (handed over as is). */
export type PayloadKind = 'json' | 'string';

/**
 * One message on the wire. The NOTIFY payload is a one-line header and the body:
 *
 * ```text
 * 1j3f9c2a81d0b4:17 events.user_signup
 * {"userId":42}
 * ```
 *
 * `1` is the format version; the kind letter is `j` (JSON) or `s` (string), upper case when
 * the body is stored in `pubsub_payloads` and the line below holds its id instead; then the
 * message id and the pgq channel (NOTIFY channels may be hashed, so the name travels here).
 * The id also keeps two equal messages apart: PostgreSQL folds identical notifications
 * sent in one transaction into one.
 */
export interface Envelope {
  id: string;
  channel: string;
  kind: PayloadKind;
  /** True when `body` is the id of a `pubsub_payloads` row rather than the payload. */
  stored: boolean;
  body: string;
}

const formatVersion = '1';
const kindCodes = { json: 'j', string: 's' } as const;

/** Renders an envelope as NOTIFY payload text. */
export function encodeEnvelope(envelope: Envelope): string {
  const code = kindCodes[envelope.kind];
  return `${formatVersion}${envelope.stored ? code.toUpperCase() : code}${envelope.id} ${envelope.channel}\n${envelope.body}`;
}

/** Parses NOTIFY payload text; undefined when it is not a pgq pub/sub message. */
export function decodeEnvelope(text: string): Envelope | undefined {
  if (text[0] !== formatVersion) return undefined;
  const code = text[1];
  const kind = code === 'j' || code === 'J' ? 'json' : code === 's' || code === 'S' ? 'string' : '';
  if (!kind) return undefined;
  const newline = text.indexOf('\n');
  const space = text.indexOf(' ');
  if (newline === -1 || space === -1 || space > newline) return undefined;
  return {
    kind,
    stored: code === 'J' || code === 'S',
    id: text.slice(2, space),
    channel: text.slice(space + 1, newline),
    body: text.slice(newline + 1),
  };
}
