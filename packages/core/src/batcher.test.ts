import { describe, expect, it } from 'vitest';
import { Batcher } from './batcher.js';

describe('Batcher', () => {
  it('sends writes of one tick together and those arriving mid-flight in the next batch', async () => {
    const batches: number[][] = [];
    let release: () => void = () => {};
    const writer = new Batcher<number, string>(async (items) => {
      batches.push(items);
      if (batches.length === 1) await new Promise<void>((resolve) => (release = resolve));
      return items.map((item) => `done ${item}`);
    }, 100);
    const first = [writer.add(1), writer.add(2)];
    await new Promise((resolve) => setImmediate(resolve));
    const second = [writer.add(3), writer.add(4), writer.add(5)];
    release();
    expect(await Promise.all([...first, ...second])).toEqual([
      'done 1',
      'done 2',
      'done 3',
      'done 4',
      'done 5',
    ]);
    expect(batches).toEqual([
      [1, 2],
      [3, 4, 5],
    ]);
  });

  it('splits at the maximum batch size and rejects only the failed batch', async () => {
    const writer = new Batcher<number, number>(async (items) => {
      if (items.includes(3)) throw new Error('batch failed');
      return items;
    }, 2);
    const results = await Promise.allSettled([1, 2, 3, 4, 5].map((item) => writer.add(item)));
    expect(results.map((result) => result.status)).toEqual([
      'fulfilled',
      'fulfilled',
      'rejected',
      'rejected',
      'fulfilled',
    ]);
    await writer.drain();
  });
});
