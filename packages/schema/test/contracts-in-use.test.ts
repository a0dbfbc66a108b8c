import { ValidationError } from '@pgq/core';
import { PubSub } from '@pgq/pubsub';
import { type Job, Queue, Worker } from '@pgq/queue';
import { RpcClient, RpcServer } from '@pgq/rpc';
import { createTestDatabase, type TestDatabase } from '@pgq/testing';
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import { defineChannel, defineJob, defineMethod } from '../src/index.js';

const sendEmail = defineJob('schema_emails', z.object({ to: z.email(), template: z.string() }), {
  maxAttempts: 4,
});
const userSignup = defineChannel('schema.user_signup', z.object({ userId: z.number() }));
const double = defineMethod('schema_double', {
  request: z.object({ n: z.number() }),
  response: z.object({ doubled: z.number() }),
  timeoutMs: 5_000,
});

let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(() => db.dispose());

async function liveJobCount(): Promise<number> {
  const rows = await db.pgq.query<{ count: number }>(
    `select count(*)::int as count from ${db.pgq.table('jobs')} where queue = $1`,
    [sendEmail.name],
  );
  return rows[0]!.count;
}

describe('zod contracts with the real packages', () => {
  it('types and validates jobs on both sides; a foreign bad row goes to dead', async () => {
    const emails = new Queue(db.pgq, sendEmail);
    await emails.create();
    await expect(emails.enqueue({ to: 'not an email', template: 'welcome' })).rejects.toThrow(
      ValidationError,
    );
    expect(await liveJobCount()).toBe(0);

    const handled: string[] = [];
    const worker = new Worker(db.pgq, sendEmail, async (job) => {
      expectTypeOf(job.payload).toEqualTypeOf<{ to: string; template: string }>();
      handled.push(job.payload.to);
    });
    const dead = new Promise<Job>((resolve) => worker.once('dead', (job) => resolve(job as Job)));
    await worker.start();
    try {
      const [foreign] = await db.pgq.query<{ id: string }>(
        `insert into ${db.pgq.table('jobs')} (queue, payload, max_attempts)
         values ($1, '{"to": 42}'::jsonb, 4) returning id::text`,
        [sendEmail.name],
      );
      const good = await emails.enqueue({ to: 'ada@example.com', template: 'welcome' });
      expect((await dead).id).toBe(foreign!.id);
      await emails.waitFor(good.id, { timeoutMs: 5_000 });
      expect(await emails.get(foreign!.id)).toMatchObject({ state: 'dead', attempts: 1 });
      expect(await emails.get(good.id)).toMatchObject({ maxAttempts: 4 });
      expect(handled).toEqual(['ada@example.com']);
    } finally {
      await worker.stop();
    }
  });

  it('refuses a bad message at publish and delivers a good one typed', async () => {
    const bus = new PubSub(db.pgq);
    try {
      const subscription = await bus.subscribe(userSignup);
      await expect(bus.publish(userSignup, { userId: 'x' } as never)).rejects.toThrow(
        ValidationError,
      );
      await bus.publish(userSignup, { userId: 7 });
      const message = await subscription.next({ timeoutMs: 5_000 });
      expectTypeOf(message!.payload).toEqualTypeOf<{ userId: number }>();
      expect(message?.payload).toEqual({ userId: 7 });
    } finally {
      await bus.close();
    }
  });

  it('validates an RPC request before sending and types the response', async () => {
    const server = new RpcServer(db.pgq, double, async (request) => ({ doubled: request.n * 2 }));
    const client = new RpcClient(db.pgq);
    await server.start();
    try {
      await expect(client.call(double, { n: 'two' } as never)).rejects.toThrow(ValidationError);
      const response = await client.call(double, { n: 21 });
      expectTypeOf(response).toEqualTypeOf<{ doubled: number }>();
      expect(response).toEqual({ doubled: 42 });
    } finally {
      await client.close();
      await server.stop();
    }
  });
});
