import { describe, expect, it } from 'vitest';
import { ValidationError } from './errors/validation-error.js';
import { toJsonText } from './json-text.js';

describe('toJsonText', () => {
  it('serialises plain JSON values, dates through toJSON, and drops undefined fields', () => {
    expect(toJsonText({ a: [1, 'x', null, true], b: undefined })).toBe('{"a":[1,"x",null,true]}');
    expect(toJsonText(new Date('2024-01-01T00:00:00Z'))).toBe('"2024-01-01T00:00:00.000Z"');
    expect(toJsonText(null)).toBe('null');
    expect(toJsonText('text')).toBe('"text"');
  });

  it.each([
    ['undefined', undefined, /undefined is not JSON/],
    ['a function', { send: () => {} }, /payload\.send: a function is not JSON/],
    ['a BigInt', { id: 1n }, /payload\.id: BigInt is not JSON/],
    ['a symbol', [Symbol('x')], /payload\.0: a symbol is not JSON/],
    ['NaN', { deep: { n: Number.NaN } }, /payload\.deep\.n: NaN is not JSON/],
    ['undefined in an array', [1, undefined], /payload\.1: undefined is not JSON/],
    ['a NUL character', { text: 'a\u0000b' }, /NUL character/],
    ['a lone surrogate', { text: 'a\ud800' }, /payload\.text: contains a lone surrogate/],
    ['a lone surrogate in a key', { ['\udbff']: 1 }, /a key contains a lone surrogate/],
  ])('refuses %s with a ValidationError naming where', (_, value, message) => {
    expect(() => toJsonText(value)).toThrow(ValidationError);
    expect(() => toJsonText(value)).toThrow(message);
  });

  it('refuses cycles', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => toJsonText(cyclic)).toThrow(ValidationError);
    expect(() => toJsonText(cyclic, 'result')).toThrow(/Invalid result/);
  });

  it('gives what JSON.stringify gives for every value it accepts, plain or not', () => {
    class Point {
      constructor(
        readonly x: number,
        readonly y: number,
      ) {}
    }
    let deep: unknown = 'bottom';
    for (let level = 0; level < 100; level++) deep = { level, next: [deep] };
    const accepted: unknown[] = [
      { a: 1, b: 'two', c: [true, null, { d: -0 }], e: undefined, f: { g: [] } },
      Object.assign(Object.create(null), { bare: 1 }),
      JSON.parse('{"__proto__": {"polluted": true}, "ok": 1}'),
      [new Date(0), new Date(Number.NaN)],
      new Map([['k', 1]]),
      new Point(1, 2),
      { money: { toJSON: () => '12.50' } },
      Object.assign(new Date(0), { toJSON: () => 'own' }),
      Object.assign([1, 2], { extra: 'ignored' }),
      deep,
      'é😀',
    ];
    for (const value of accepted) expect(toJsonText(value)).toBe(JSON.stringify(value));
  });

  it('refuses what a toJSON or a getter produces, as for plain values', () => {
    expect(() => toJsonText({ bad: { toJSON: () => 1n } })).toThrow(/payload\.bad: BigInt/);
    let reads = 0;
    const flaky = {
      get value() {
        reads += 1;
        if (reads > 1) throw new Error('read twice');
        return 1;
      },
    };
    expect(() => toJsonText(flaky)).toThrow(ValidationError);
  });
});
