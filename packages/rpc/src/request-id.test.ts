import { connect } from '@pgq/core';
import { describe, expect, it } from 'vitest';
import {
  callerPrefixOf,
  isRequestId,
  newCallerPrefix,
  newRequestId,
  replyChannelOf,
} from './request-id.js';

describe('request ids', () => {
  it('are UUIDs that carry their caller prefix', () => {
    const prefix = newCallerPrefix();
    const ids = Array.from({ length: 1_000 }, () => newRequestId(prefix));
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) {
      expect(isRequestId(id)).toBe(true);
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(callerPrefixOf(id)).toBe(prefix);
      expect(callerPrefixOf(id.toUpperCase())).toBe(prefix);
    }
  });

  it('name the reply channel of their caller, whoever derives it', () => {
    const pgq = connect({ schema: 'pgq', connectionString: 'postgres://unused' });
    const first = newCallerPrefix();
    const second = newCallerPrefix();
    const channel = replyChannelOf(pgq, newRequestId(first));
    expect(channel).toBe(`pgq.rpc.reply.${first}`);
    expect(replyChannelOf(pgq, newRequestId(first).toUpperCase())).toBe(channel);
    expect(replyChannelOf(pgq, newRequestId(second))).not.toBe(channel);
    void pgq.close();
  });

  it('refuses what is not a UUID', () => {
    for (const value of ['', 'abc', 42, null, '00000000-0000-0000-0000-00000000000g']) {
      expect(isRequestId(value)).toBe(false);
    }
  });
});
