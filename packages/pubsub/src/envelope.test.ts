import { describe, expect, it } from 'vitest';
import { decodeEnvelope, type Envelope, encodeEnvelope } from './envelope.js';

describe('envelope', () => {
  it.each<Envelope>([
    { id: 'a1:1', channel: 'events.x', kind: 'json', stored: false, body: '{"a":"b\\nc"}' },
    { id: 'a1:2', channel: 'events.x', kind: 'string', stored: false, body: 'line one\nline two' },
    {
      id: 'a1:3',
      channel: 'e',
      kind: 'json',
      stored: true,
      body: 'c0ffee00-0000-4000-8000-000000000000',
    },
    { id: 'a1:4', channel: 'e', kind: 'string', stored: true, body: '' },
  ])('round-trips $kind (stored: $stored)', (envelope) => {
    expect(decodeEnvelope(encodeEnvelope(envelope))).toEqual(envelope);
  });

  it('refuses text that is not a pgq message', () => {
    expect(decodeEnvelope('hello')).toBeUndefined();
    expect(decodeEnvelope('')).toBeUndefined();
    expect(decodeEnvelope('1x id channel\nbody')).toBeUndefined();
    expect(decodeEnvelope('1jidchannel\nbody')).toBeUndefined();
  });
});
