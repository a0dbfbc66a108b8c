import { describe, expect, it } from 'vitest';
import { defaultRetryOptions, resolveRetryOptions, retryDelayMs } from './backoff.js';

describe('retryDelayMs', () => {
  const fixed = { baseMs: 1_000, factor: 2, maxMs: 10_000, jitter: false };

  it('grows by the factor per attempt and stops at maxMs', () => {
    expect([1, 2, 3, 4, 5, 6].map((attempt) => retryDelayMs(attempt, fixed))).toEqual([
      1_000, 2_000, 4_000, 8_000, 10_000, 10_000,
    ]);
  });

  it('with jitter stays between half and all of the delay', () => {
    const jittered = { ...fixed, jitter: true };
    expect(retryDelayMs(3, jittered, () => 0)).toBe(2_000);
    expect(retryDelayMs(3, jittered, () => 0.999_999)).toBe(4_000);
    for (let sample = 0; sample < 100; sample++) {
      const delay = retryDelayMs(2, jittered);
      expect(delay).toBeGreaterThanOrEqual(1_000);
      expect(delay).toBeLessThanOrEqual(2_000);
    }
  });

  it('never overflows for large attempt numbers', () => {
    expect(retryDelayMs(10_000, fixed)).toBe(10_000);
  });
});

describe('resolveRetryOptions', () => {
  it('fills in defaults and ignores undefined fields', () => {
    expect(resolveRetryOptions({ baseMs: 50, factor: undefined })).toEqual({
      ...defaultRetryOptions,
      baseMs: 50,
    });
  });

  it('refuses nonsense', () => {
    expect(() => resolveRetryOptions({ factor: 0.5 })).toThrow(/retry.factor/);
    expect(() => resolveRetryOptions({ baseMs: -1 })).toThrow(/retry.baseMs/);
    expect(() => resolveRetryOptions({ maxMs: Number.NaN })).toThrow(/retry.maxMs/);
  });
});
