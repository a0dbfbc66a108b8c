import { RemoteError } from '@pgq/core';
import { describe, expect, it } from 'vitest';
import { toRemoteError, toReplyError } from './reply-error.js';

describe('reply errors', () => {
  it('carry a thrown error message, name and code, without its stack', () => {
    const thrown = Object.assign(new TypeError('no such user'), { code: 'E_NOT_FOUND' });
    expect(toReplyError(thrown)).toEqual({
      message: 'no such user',
      name: 'TypeError',
      code: 'E_NOT_FOUND',
    });
    expect(toReplyError(Object.assign(new Error('x'), { code: 42 })).code).toBe('42');
    expect(toReplyError('boom')).toEqual({ message: 'boom', name: 'NonError' });
  });

  it('become a RemoteError at the caller, whatever another program stored', () => {
    const error = toRemoteError({ message: 'no such user', name: 'TypeError', code: 'E_X' });
    expect(error).toBeInstanceOf(RemoteError);
    expect(error.message).toBe('no such user');
    expect(error.remoteCode).toBe('E_X');
    expect(error.remoteName).toBe('TypeError');
    expect(toRemoteError('garbage').message).toBe('The RPC handler failed');
    expect(toRemoteError({ message: 'm', code: 7 }).remoteCode).toBe('7');
  });
});
