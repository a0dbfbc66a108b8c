import { describe, expect, it } from 'vitest';
import { Fifo } from './fifo.js';

describe('Fifo', () => {
  it('keeps order across compactions', () => {
    const fifo = new Fifo<number>();
    const out: number[] = [];
    for (let index = 0; index < 5_000; index++) {
      fifo.push(index);
      if (index % 3 === 0) out.push(fifo.shift()!);
    }
    while (fifo.size > 0) out.push(fifo.shift()!);
    expect(out).toEqual(Array.from({ length: 5_000 }, (_, index) => index));
    expect(fifo.shift()).toBeUndefined();
  });
});
