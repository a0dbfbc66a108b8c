import { describe, expect, it } from 'vitest';
import { textProblem } from './text.js';

describe('textProblem', () => {
  it('accepts any well-formed string, surrogate pairs included', () => {
    for (const value of ['', 'plain', 'ünïcödé', '😀 pair', '\ud83d\ude00', 'a\\ud800'])
      expect(textProblem(value)).toBeUndefined();
  });

  it('names NUL and lone surrogates, at either end or alone', () => {
    expect(textProblem('a\u0000b')).toMatch(/NUL/);
    for (const value of ['\ud800', '\udbff', '\udc00x', 'x\ud83d', '\ude00\ud83d'])
      expect(textProblem(value)).toMatch(/lone surrogate/);
  });
});
