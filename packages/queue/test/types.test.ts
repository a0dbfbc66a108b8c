import { connect } from '@pgq/core';
import { afterAll, describe, expectTypeOf, it } from 'vitest';
import { type Job, Queue, Worker } from '../src/index.js';
import { emailContract } from './helpers.js';

// Types only: tsc checks these; at run time nothing touches a database.
describe('types', () => {
  const pgq = connect({ connectionString: 'postgres://unused' });
  const contract = emailContract('typed');
  afterAll(() => pgq.close());

  it('a contract types enqueue by its input and consumers by its output', () => {
    const queue = new Queue(pgq, contract);
    expectTypeOf(queue.enqueue).parameter(0).toEqualTypeOf<{ to: string; count?: number }>();
    expectTypeOf(queue.dequeue).returns.resolves.toEqualTypeOf<Job<
      { to: string; count: number },
      unknown
    > | null>();
    const worker = new Worker(pgq, contract, async (job) => {
      expectTypeOf(job.payload).toEqualTypeOf<{ to: string; count: number }>();
      return { sent: job.payload.count };
    });
    worker.on('completed', (_job, result) => {
      expectTypeOf(result).toEqualTypeOf<{ sent: number }>();
    });
    // @ts-expect-error the payload type is enforced
    void queue.enqueue({ to: 1 }).catch(() => {});
  });

  it('a plain name is typed by the type arguments, or by the handler', () => {
    const queue = new Queue<{ n: number }, string>(pgq, 'plain');
    expectTypeOf(queue.enqueue).parameter(0).toEqualTypeOf<{ n: number }>();
    expectTypeOf(queue.waitFor).returns.resolves.toEqualTypeOf<string>();
    const byName = new Worker(pgq, 'plain', async (job: Job<{ n: number }>) => job.payload.n);
    const typed: Worker<{ n: number }, number> = byName;
    const viaQueue: Worker<{ n: number }, boolean> = new Worker(pgq, queue, async () => true);
    expectTypeOf(typed.queue.name).toEqualTypeOf<string>();
    expectTypeOf(viaQueue.state).toEqualTypeOf<
      'idle' | 'starting' | 'running' | 'stopping' | 'stopped'
    >();
  });
});
