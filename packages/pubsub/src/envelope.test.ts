import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { decodeEnvelope, type Envelope, envelopeHead, sealEnvelope } from './envelope.js';
import { MessageKey } from './message-key.js';

const key = new MessageKey(randomBytes(32));
const sentAt = Date.UTC(2026, 11, 3, 12);

function encode(envelope: Envelope, signer = key): string {
  return sealEnvelope(signer, envelopeHead(envelope) + envelope.body);
}

describe('envelope', () => {
  it.each<Envelope>([
    { id: 'a1:1', channel: 'events.x', kind: 'json', stored: false, sentAt, body: '{"a":"b\\nc"}' },
    { id: 'a1:2', channel: 'events.x', kind: 'string', stored: false, sentAt, body: 'one\ntwo' },
    {
      id: 'a1:3',
      channel: 'e',
      kind: 'json',
      stored: true,
      sentAt,
      body: 'c0ffee00-0000-4000-8000-000000000000',
    },
    { id: 'a1:4', channel: 'e', kind: 'string', stored: true, sentAt, body: '' },
  ])('round-trips $kind (stored: $stored)', (envelope) => {
    expect(decodeEnvelope(encode(envelope), key)).toEqual(envelope);
  });

  const genuine: Envelope = {
    id: 'a1:5',
    channel: 'orders.paid',
    kind: 'json',
    stored: true,
    sentAt,
    body: 'c0ffee00-0000-4000-8000-000000000000',
  };

  it('refuses a message signed with another key', () => {
    expect(decodeEnvelope(encode(genuine, new MessageKey(randomBytes(32))), key)).toBe('forged');
  });

  it('refuses a genuine message with any part changed under its tag', () => {
    const text = encode(genuine);
    for (const [from, to] of [
      ['orders.paid', 'orders.refund'],
      ['a1:5', 'a1:6'],
      ['c0ffee00', 'c0ffee01'],
      ['J', 'S'],
    ] as const) {
      expect(decodeEnvelope(text.replace(from, to), key)).toBe('forged');
    }
    expect(decodeEnvelope(`${text} `, key)).toBe('forged');
  });

  it('refuses the old unsigned format and text that is not a pgq message', () => {
    expect(decodeEnvelope('1ja1:1 orders.paid\n{}', key)).toBe('old-format');
    expect(decodeEnvelope('hello', key)).toBe('malformed');
    expect(decodeEnvelope('', key)).toBe('malformed');
    const tag = '0'.repeat(32);
    expect(decodeEnvelope(`2${tag}x1 a1:1 c\nbody`, key)).toBe('malformed');
    expect(decodeEnvelope(`2${tag}j1 a1:1c\nbody`, key)).toBe('malformed');
    expect(decodeEnvelope(`2${tag}j1 a1 c\nbody`, key)).toBe('malformed');
    expect(decodeEnvelope(`2${tag}jZZ a1:1 c\nbody`, key)).toBe('malformed');
  });

  it('refuses a signed message whose channel breaks the naming rules', () => {
    for (const channel of ['events.\u001b[31mred', 'events..x', 'a b', '-x']) {
      expect(decodeEnvelope(encode({ ...genuine, channel }), key)).toBe('invalid-channel');
    }
  });
});
