import { describe, expect, it } from 'vitest';
import { Coalescer } from './coalescer.js';

describe('Coalescer', () => {
  it('runs the requests of one turn as one batch, each caller getting its own result', async () => {
    const batches: string[][] = [];
    const coalescer = new Coalescer<string, string>({
      maxBatchSize: 100,
      runBatch: async (requests) => {
        batches.push([...requests]);
        return requests.map((request) => request.toUpperCase());
      },
      runOne: async () => {
        throw new Error('a batch of several must not run one by one');
      },
    });
    const results = await Promise.all(['a', 'b', 'a', 'c'].map((key) => coalescer.add(key)));
    expect(results).toEqual(['A', 'B', 'A', 'C']);
    expect(batches).toEqual([['a', 'b', 'a', 'c']]);
    // Callers woken together by that batch coalesce again.
    expect(await Promise.all(['d', 'e'].map((key) => coalescer.add(key)))).toEqual(['D', 'E']);
    expect(batches).toHaveLength(2);
  });

  it('sends a lone request through runOne, and splits a burst at maxBatchSize', async () => {
    const batches: number[][] = [];
    const singles: number[] = [];
    const coalescer = new Coalescer<number, number>({
      maxBatchSize: 3,
      runBatch: async (requests) => {
        batches.push([...requests]);
        return requests.map((request) => request * 2);
      },
      runOne: async (request) => {
        singles.push(request);
        return request * 2;
      },
    });
    expect(await coalescer.add(21)).toBe(42);
    expect(singles).toEqual([21]);
    const results = await Promise.all([1, 2, 3, 4, 5, 6, 7].map((n) => coalescer.add(n)));
    expect(results).toEqual([2, 4, 6, 8, 10, 12, 14]);
    expect(batches).toEqual([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    expect(singles).toEqual([21, 7]);
  });

  it('retries a failed batch one request at a time: errors stay with their caller, order keys keep call order', async () => {
    const runs: string[] = [];
    const coalescer = new Coalescer<{ key: string; value: string }, string>({
      maxBatchSize: 100,
      runBatch: async () => {
        throw new Error('batch failed');
      },
      runOne: async ({ key, value }) => {
        runs.push(`${key}=${value}`);
        // Later requests of a key would overtake the first if they did not wait for it.
        if (value === 'first') await new Promise((resolve) => setTimeout(resolve, 20));
        if (value === 'poison') throw new Error(`bad value for ${key}`);
        return `${key}=${value}`;
      },
      orderKeyOf: (request) => request.key,
    });
    const outcomes = await Promise.allSettled([
      coalescer.add({ key: 'a', value: 'first' }),
      coalescer.add({ key: 'b', value: 'poison' }),
      coalescer.add({ key: 'a', value: 'second' }),
      coalescer.add({ key: 'c', value: 'only' }),
    ]);
    expect(outcomes).toEqual([
      { status: 'fulfilled', value: 'a=first' },
      { status: 'rejected', reason: new Error('bad value for b') },
      { status: 'fulfilled', value: 'a=second' },
      { status: 'fulfilled', value: 'c=only' },
    ]);
    expect(runs.indexOf('a=second')).toBeGreaterThan(runs.indexOf('a=first'));
    // The other keys did not wait for the slow first write of 'a'.
    expect(runs.indexOf('c=only')).toBeLessThan(runs.indexOf('a=second'));
  });

  it('without runOne, hands a failed batch its error to every caller', async () => {
    const failure = new Error('shared work failed');
    let runs = 0;
    const coalescer = new Coalescer<void, number>({
      maxBatchSize: Number.POSITIVE_INFINITY,
      runBatch: async () => {
        runs++;
        throw failure;
      },
    });
    const outcomes = await Promise.allSettled([coalescer.add(), coalescer.add(), coalescer.add()]);
    expect(outcomes.map((outcome) => outcome.status === 'rejected' && outcome.reason)).toEqual([
      failure,
      failure,
      failure,
    ]);
    expect(runs).toBe(1);
  });
});
