import { describe, expect, it } from 'vitest';
import { InvalidNameError } from './invalid-name-error.js';
import { LeaseLostError } from './lease-lost-error.js';
import { NotInstalledError } from './not-installed-error.js';
import { PayloadTooLargeError } from './payload-too-large-error.js';
import { PgqError } from './pgq-error.js';
import { QueueNotFoundError } from './queue-not-found-error.js';
import { RemoteError } from './remote-error.js';
import { TimeoutError } from './timeout-error.js';
import { ValidationError } from './validation-error.js';

describe('PgqError', () => {
  it('gives every error a stable, distinct code', () => {
    const errors = [
      new InvalidNameError('queue', 'x y', 'rule'),
      new ValidationError('Invalid payload', [{ path: ['to'], message: 'Invalid email' }]),
      new NotInstalledError('pgq'),
      new QueueNotFoundError('emails'),
      new TimeoutError('call', 100),
      new RemoteError('boom', { code: 'E_BOOM' }),
      new PayloadTooLargeError(10, 5),
      new LeaseLostError('42'),
    ];
    const codes = errors.map((error) => error.code);
    expect(new Set(codes).size).toBe(errors.length);
    for (const error of errors) {
      expect(error).toBeInstanceOf(PgqError);
      expect(error).toBeInstanceOf(Error);
      expect(error.code).toMatch(/^PGQ_[A-Z_]+$/);
    }
  });

  it('is recognised across copies of the package through a global symbol', () => {
    const foreign = Object.assign(new Error('from another copy'), {
      [Symbol.for('pgq.error')]: true,
      code: 'PGQ_X',
    });
    expect(PgqError.isInstance(foreign)).toBe(true);
    expect(PgqError.isInstance(new Error('plain'))).toBe(false);
    expect(PgqError.isInstance(null)).toBe(false);
    expect(PgqError.hasCode(new QueueNotFoundError('q'), 'PGQ_QUEUE_NOT_FOUND')).toBe(true);
  });

  it('says what to do and keeps the cause', () => {
    const cause = new Error('relation does not exist');
    const error = new NotInstalledError('app', { cause });
    expect(error.message).toContain('pgq migrate');
    expect(error.cause).toBe(cause);
    expect(
      new ValidationError('Invalid payload', [{ path: ['to'], message: 'Invalid email' }]).message,
    ).toBe('Invalid payload: to: Invalid email');
  });
});
