import { ValidationError } from '@pgq/core';
import { describe, expect, it } from 'vitest';
import { decodeValue, encodeValue } from './value-encoding.js';

describe('encodeValue', () => {
  it('stores JSON as text and bytes as bytes, and decodes them back', () => {
    const json = encodeValue({ a: [1, 'two', null], b: { c: true } });
    expect(json).toEqual({ value: '{"a":[1,"two",null],"b":{"c":true}}', bytes: null });
    expect(decodeValue(json)).toEqual({ a: [1, 'two', null], b: { c: true } });
    const bytes = encodeValue(Buffer.from([0, 255]));
    expect(bytes.value).toBeNull();
    expect(decodeValue<Buffer>(bytes).equals(Buffer.from([0, 255]))).toBe(true);
    expect(decodeValue(encodeValue(null))).toBeNull();
  });

  it('names where a value breaks JSON', () => {
    expect(() => encodeValue({ user: { id: 1n } }, ['k'])).toThrowError(
      expect.objectContaining({ issues: [expect.objectContaining({ path: ['k', 'id'] })] }),
    );
    expect(() => encodeValue([1, Number.NaN])).toThrow(ValidationError);
    expect(() => encodeValue(undefined)).toThrow(/not JSON-serialisable/);
    const cycle: unknown[] = [];
    cycle.push(cycle);
    expect(() => encodeValue(cycle)).toThrow(ValidationError);
    expect(() =>
      encodeValue({
        toJSON() {
          throw new Error('custom');
        },
      }),
    ).toThrow(/custom/);
  });
});
