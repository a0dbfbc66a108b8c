import { describe, expect, it } from 'vitest';
import { toErrorRecord } from './error-record.js';

describe('toErrorRecord', () => {
  it('keeps name, message, stack and code of an Error', () => {
    const error = Object.assign(new RangeError('too far'), { code: 'E_FAR' });
    expect(toErrorRecord(error)).toMatchObject({
      name: 'RangeError',
      message: 'too far',
      code: 'E_FAR',
    });
    expect(toErrorRecord(error).stack).toContain('too far');
  });

  it('turns thrown non-Errors into readable messages', () => {
    expect(toErrorRecord('boom')).toEqual({ name: 'NonError', message: 'boom' });
    expect(toErrorRecord({ status: 500 })).toEqual({ name: 'NonError', message: '{"status":500}' });
    expect(toErrorRecord(undefined).message).toBe('Non-error value thrown: undefined');
    expect(toErrorRecord(42).message).toBe('Non-error value thrown: 42');
    expect(toErrorRecord({ big: 1n }).message).toBe('Non-error value thrown: [object Object]');
  });

  it('cuts every field so a whole error stays under the 64 kB jobs.last_error holds', () => {
    const huge = new Error('m'.repeat(1_000_000));
    huge.name = 'N'.repeat(10_000);
    Object.assign(huge, { code: 'C'.repeat(10_000) });
    const record = toErrorRecord(huge);
    expect(Buffer.byteLength(JSON.stringify(record))).toBeLessThan(65_536);
    expect(record.message).toHaveLength(8_000);
    // A cut never splits a surrogate pair: half of one is not Unicode.
    const emoji = toErrorRecord(new Error(`${'m'.repeat(7_999)}😀`)).message;
    expect(emoji).toBe('m'.repeat(7_999));
  });
});
