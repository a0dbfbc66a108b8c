import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import { abortable, assertSignal, watchAbort } from './abortable.js';
import { ValidationError } from './errors/validation-error.js';

describe('abortable', () => {
  it('settles as the promise does and removes its abort listener', async () => {
    const controller = new AbortController();
    const waiting = abortable(Promise.resolve('done'), controller.signal);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(1);
    expect(await waiting).toBe('done');
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
    await expect(abortable(Promise.reject(new Error('no')), controller.signal)).rejects.toThrow(
      'no',
    );
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });

  it("rejects with the signal's reason when it aborts first, or was aborted already", async () => {
    const controller = new AbortController();
    const waiting = abortable(new Promise(() => {}), controller.signal);
    const reason = new Error('user went away');
    controller.abort(reason);
    await expect(waiting).rejects.toBe(reason);
    await expect(abortable(Promise.resolve(1), controller.signal)).rejects.toBe(reason);
  });
});

describe('watchAbort', () => {
  it('calls back with the reason once, and not after unwatching', () => {
    const first = new AbortController();
    const reasons: unknown[] = [];
    watchAbort(first.signal, (reason) => reasons.push(reason));
    first.abort('first');
    first.abort('again');
    const second = new AbortController();
    watchAbort(second.signal, (reason) => reasons.push(reason))();
    second.abort('second');
    expect(reasons).toEqual(['first']);
  });
});

describe('assertSignal', () => {
  it('takes an AbortSignal or nothing, and refuses anything else', () => {
    const { signal } = new AbortController();
    expect(assertSignal(signal)).toBe(signal);
    expect(assertSignal(undefined)).toBeUndefined();
    expect(() => assertSignal({ aborted: false })).toThrow(ValidationError);
  });
});
