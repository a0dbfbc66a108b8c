import { describe, expect, it } from 'vitest';
import { toJobError } from './job-error.js';

describe('toJobError', () => {
  it('keeps name, message, stack and code of an Error', () => {
    const error = Object.assign(new RangeError('too far'), { code: 'E_FAR' });
    expect(toJobError(error)).toMatchObject({
      name: 'RangeError',
      message: 'too far',
      code: 'E_FAR',
    });
    expect(toJobError(error).stack).toContain('too far');
  });

  it('turns thrown non-Errors into readable messages', () => {
    expect(toJobError('boom')).toEqual({ name: 'NonError', message: 'boom' });
    expect(toJobError({ status: 500 })).toEqual({ name: 'NonError', message: '{"status":500}' });
    expect(toJobError(undefined).message).toBe('Non-error value thrown: undefined');
    expect(toJobError(42).message).toBe('Non-error value thrown: 42');
    expect(toJobError({ big: 1n }).message).toBe('Non-error value thrown: [object Object]');
  });
});
