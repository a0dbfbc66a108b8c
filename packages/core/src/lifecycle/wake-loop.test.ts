import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { WakeLoop } from './wake-loop.js';

// A turn the test finishes by hand, so overlap and coalescing are visible.
function controlledTurns() {
  const finishers: Array<(result?: unknown) => void> = [];
  let started = 0;
  const turn = vi.fn(
    () =>
      new Promise<unknown>((resolve) => {
        started++;
        finishers.push(resolve);
      }),
  );
  return {
    turn,
    get started() {
      return started;
    },
    finish: async (result?: unknown) => {
      finishers.shift()?.(result);
      await vi.advanceTimersByTimeAsync(0);
    },
  };
}

describe('WakeLoop', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('never runs two turns at once, and wake-ups during a turn make exactly one more', async () => {
    const turns = controlledTurns();
    const loop = new WakeLoop({ turn: turns.turn, onError: () => {} });
    loop.start();
    expect(turns.started).toBe(1);
    loop.wake();
    loop.wake();
    loop.wake();
    expect(turns.started).toBe(1);
    await turns.finish();
    expect(turns.started).toBe(2);
    await turns.finish();
    expect(turns.started).toBe(2);
    await loop.stop();
  });

  it('runs again after the delay a turn asks for, at once for 0, and polls at intervalMs', async () => {
    const turns = controlledTurns();
    const loop = new WakeLoop({ turn: turns.turn, intervalMs: 1_000, onError: () => {} });
    loop.start();
    await turns.finish(0);
    expect(turns.started).toBe(2);
    await turns.finish(100);
    await vi.advanceTimersByTimeAsync(99);
    expect(turns.started).toBe(2);
    await vi.advanceTimersByTimeAsync(1);
    expect(turns.started).toBe(3);
    // Nothing asked: the poll.
    await turns.finish();
    await vi.advanceTimersByTimeAsync(999);
    expect(turns.started).toBe(3);
    await vi.advanceTimersByTimeAsync(1);
    expect(turns.started).toBe(4);
    // A delay longer than the poll is cut to it.
    await turns.finish(60_000);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(turns.started).toBe(5);
    await turns.finish();
    await loop.stop();
  });

  it('keeps the earliest of several wakeIn() calls', async () => {
    const turns = controlledTurns();
    const loop = new WakeLoop({ turn: turns.turn, onError: () => {} });
    loop.start(Number.POSITIVE_INFINITY);
    expect(turns.started).toBe(0);
    loop.wakeIn(500);
    loop.wakeIn(50);
    loop.wakeIn(800);
    await vi.advanceTimersByTimeAsync(50);
    expect(turns.started).toBe(1);
    await turns.finish();
    await vi.advanceTimersByTimeAsync(1_000);
    expect(turns.started).toBe(1);
    await loop.stop();
  });

  it('reports a failed turn and retries with doubling backoff up to intervalMs', async () => {
    const errors: unknown[] = [];
    let calls = 0;
    const loop = new WakeLoop({
      turn: async () => {
        calls++;
        throw new Error(`failure ${calls}`);
      },
      intervalMs: 1_000,
      errorDelayMs: 250,
      onError: (error) => errors.push(error),
    });
    loop.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(calls).toBe(1);
    await vi.advanceTimersByTimeAsync(250);
    expect(calls).toBe(2);
    await vi.advanceTimersByTimeAsync(499);
    expect(calls).toBe(2);
    await vi.advanceTimersByTimeAsync(1);
    expect(calls).toBe(3);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(calls).toBe(4);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(calls).toBe(5);
    expect(errors.map((error) => (error as Error).message)).toEqual([
      'failure 1',
      'failure 2',
      'failure 3',
      'failure 4',
      'failure 5',
    ]);
    await loop.stop();
  });

  it('does not retry a failed turn without intervalMs', async () => {
    let calls = 0;
    const loop = new WakeLoop({
      turn: async () => {
        calls++;
        throw new Error('no');
      },
      onError: () => {},
    });
    loop.start();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(calls).toBe(1);
    loop.wake();
    await vi.advanceTimersByTimeAsync(0);
    expect(calls).toBe(2);
    await loop.stop();
  });

  it('stop() waits for the turn in flight, and nothing runs after it', async () => {
    const turns = controlledTurns();
    const loop = new WakeLoop({ turn: turns.turn, intervalMs: 100, onError: () => {} });
    loop.start();
    loop.wake();
    let stopped = false;
    const stopping = loop.stop().then(() => {
      stopped = true;
    });
    await vi.advanceTimersByTimeAsync(0);
    expect(stopped).toBe(false);
    expect(loop.active).toBe(false);
    await turns.finish(0);
    await stopping;
    expect(stopped).toBe(true);
    loop.wake();
    loop.wakeIn(10);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(turns.started).toBe(1);
    expect(vi.getTimerCount()).toBe(0);
  });
});
