import { describe, expect, it } from 'vitest';
import { ReplayGuard } from './replay-guard.js';

describe('ReplayGuard', () => {
  const now = 1_000_000_000;

  it('admits each id once, across publishers and chunks', () => {
    const guard = new ReplayGuard(60_000);
    for (const id of ['p1:0', 'p1:1', 'p1:74', 'p2:0', 'p1:zzzz']) {
      expect(guard.admit(id, now, now)).toBeUndefined();
    }
    expect(guard.admit('p1:74', now, now)).toBe('replayed');
    expect(guard.admit('p2:0', now, now + 59_000)).toBe('replayed');
    expect(guard.admit('p2:1', now, now)).toBeUndefined();
  });

  it('refuses messages further than the window from now, either way', () => {
    const guard = new ReplayGuard(60_000);
    expect(guard.admit('p:1', now - 60_001, now)).toBe('stale');
    expect(guard.admit('p:2', now + 60_001, now)).toBe('stale');
    expect(guard.admit('p:3', now - 60_000, now)).toBeUndefined();
  });

  it('forgets chunks once their messages have aged out, so memory follows the traffic', () => {
    const guard = new ReplayGuard(1_000);
    for (let sequence = 0; sequence < 10_000; sequence++) {
      guard.admit(`p:${sequence.toString(36)}`, now, now);
    }
    expect(guard.chunks).toBe(40);
    // A replay of the first message after the window is stale, and the old chunks are gone.
    expect(guard.admit('p:0', now, now + 1_001)).toBe('stale');
    expect(guard.admit('q:0', now + 1_001, now + 1_001)).toBeUndefined();
    expect(guard.chunks).toBe(1);
  });
});
