import { describe, expect, it } from 'vitest';
import { SingleFlight } from './single-flight.js';

describe('SingleFlight', () => {
  it('runs a task once for concurrent callers of one key, and again once it settled', async () => {
    const flights = new SingleFlight();
    let calls = 0;
    let finish!: (value: string) => void;
    const task = () => {
      calls++;
      return new Promise<string>((resolve) => {
        finish = resolve;
      });
    };
    const joined = Promise.all([1, 2, 3].map(() => flights.run('k', 10_000, task)));
    const other = flights.run('other', 10_000, async () => 'other');
    expect(flights.size).toBe(2);
    await Promise.resolve();
    finish('value');
    expect(await joined).toEqual(['value', 'value', 'value']);
    expect(await other).toBe('other');
    expect(calls).toBe(1);
    expect(flights.size).toBe(0);
    expect(await flights.run('k', 10_000, async () => 'fresh')).toBe('fresh');
  });

  it('gives every joined caller the same error', async () => {
    const flights = new SingleFlight();
    const failure = new Error('nope');
    const outcomes = await Promise.allSettled(
      [1, 2].map(() =>
        flights.run('k', 10_000, async () => {
          throw failure;
        }),
      ),
    );
    expect(outcomes).toEqual([
      { status: 'rejected', reason: failure },
      { status: 'rejected', reason: failure },
    ]);
  });

  it('abandons a flight past its timeout: waiting callers start a fresh one together', async () => {
    const flights = new SingleFlight();
    let calls = 0;
    const hangsFirst = () => {
      calls++;
      return calls === 1 ? new Promise<string>(() => {}) : Promise.resolve(`call ${calls}`);
    };
    const results = await Promise.all([1, 2, 3].map(() => flights.run('k', 30, hangsFirst)));
    expect(results).toEqual(['call 2', 'call 2', 'call 2']);
    expect(calls).toBe(2);
  });

  it("a caller's abort leaves the flight to the others; the last one's aborts the task", async () => {
    const flights = new SingleFlight();
    let taskSignal: AbortSignal | undefined;
    const task = (signal: AbortSignal) => {
      taskSignal = signal;
      return new Promise<string>(() => {});
    };
    const [first, second] = [new AbortController(), new AbortController()];
    const waits = [first, second].map((controller) =>
      flights.run('k', 10_000, task, controller.signal).catch((error: unknown) => error),
    );
    first.abort('first gave up');
    expect(await waits[0]).toBe('first gave up');
    expect(taskSignal?.aborted).toBe(false);
    expect(flights.size).toBe(1);
    second.abort('second gave up');
    expect(await waits[1]).toBe('second gave up');
    expect(taskSignal?.reason).toBe('second gave up');
    expect(flights.size).toBe(0);
    await expect(flights.run('k', 10_000, task, AbortSignal.abort('never'))).rejects.toBe('never');
    expect(flights.size).toBe(0);
  });
});
