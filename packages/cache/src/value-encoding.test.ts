import { PayloadTooLargeError, ValidationError } from '@pgq/core';
import { describe, expect, it } from 'vitest';
import { decodeValue, encodeValue } from './value-encoding.js';

const limit = 1_048_576;

describe('encodeValue', () => {
  it('stores JSON as text and bytes as bytes, and decodes them back', () => {
    const json = encodeValue({ a: [1, 'two', null], b: { c: true } }, limit);
    expect(json).toEqual({ value: '{"a":[1,"two",null],"b":{"c":true}}', bytes: null });
    expect(decodeValue(json)).toEqual({ a: [1, 'two', null], b: { c: true } });
    const bytes = encodeValue(Buffer.from([0, 255]), limit);
    expect(bytes.value).toBeNull();
    expect(decodeValue<Buffer>(bytes).equals(Buffer.from([0, 255]))).toBe(true);
    expect(decodeValue(encodeValue(null, limit))).toBeNull();
  });

  it('encodes plain data and everything else alike, as JSON.stringify does when it is lossless', () => {
    class Point {
      constructor(
        readonly x: number,
        readonly y: number,
      ) {}
    }
    let deep: unknown = 'bottom';
    for (let level = 0; level < 200; level++) deep = level % 2 ? [deep] : { level: deep };
    const nullPrototype = Object.assign(Object.create(null) as object, { a: 1 });
    const withGetter = Object.defineProperty({}, 'computed', { enumerable: true, get: () => 42 });
    const values: unknown[] = [
      'text',
      -0,
      1.5e300,
      true,
      null,
      [],
      {},
      { id: 1, name: 'Ada', roles: ['a', 'b'], nested: { none: null, kept: false } },
      { dropped: undefined, kept: 1 },
      [new Date('2025-01-02T03:04:05.000Z'), new Point(1, 2)],
      { toJSON: () => ({ replaced: true }) },
      nullPrototype,
      withGetter,
      deep,
      '\ud800 lone surrogate',
    ];
    for (const value of values) {
      expect(encodeValue(value, limit)).toEqual({ value: JSON.stringify(value), bytes: null });
    }
    // Holes and undefined in arrays would become null: refused however deep they are.
    // biome-ignore lint/suspicious/noSparseArray: the hole is the point
    expect(() => encodeValue({ list: [1, , 3] }, limit)).toThrow(ValidationError);
    expect(() => encodeValue({ nested: [[{ value: undefined }], [undefined]] }, limit)).toThrow(
      ValidationError,
    );
  });

  it('names where a value breaks JSON', () => {
    expect(() => encodeValue({ user: { id: 1n } }, limit, ['k'])).toThrowError(
      expect.objectContaining({ issues: [expect.objectContaining({ path: ['k', 'id'] })] }),
    );
    expect(() => encodeValue([1, Number.NaN], limit)).toThrow(ValidationError);
    expect(() => encodeValue(undefined, limit)).toThrow(/not JSON-serialisable/);
    const cycle: unknown[] = [];
    cycle.push(cycle);
    expect(() => encodeValue(cycle, limit)).toThrow(ValidationError);
    expect(() =>
      encodeValue(
        {
          toJSON() {
            throw new Error('custom');
          },
        },
        limit,
      ),
    ).toThrow(/custom/);
  });

  it('refuses a value over the limit, JSON by its UTF-8 bytes and bytes by their length', () => {
    // 'é' is one UTF-16 unit and two UTF-8 bytes: '"' + 3 × 'é' + '"' is 8 bytes.
    expect(encodeValue('ééé', 8).value).toBe('"ééé"');
    expect(() => encodeValue('éééé', 8)).toThrow(PayloadTooLargeError);
    expect(() => encodeValue('éééé', 8)).toThrow(
      'Cache value is 10 bytes, over the limit of 8 bytes (raise it with new Cache(pgq, { maxValueBytes })); nothing was written',
    );
    expect(encodeValue(Buffer.alloc(8), 8).bytes).toHaveLength(8);
    expect(() => encodeValue(new Uint8Array(9), 8)).toThrow(PayloadTooLargeError);
    expect(() => encodeValue([1, 2, 3, 4, 5], 8, ['report'])).toThrow(
      /^Cache value for key "report" is 11 bytes, over/,
    );
  });
});
