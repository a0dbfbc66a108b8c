import {
  type ContractInput,
  type ContractOutput,
  InvalidNameError,
  ValidationError,
  validate,
} from '@pgq/core';
import { type } from 'arktype';
import * as v from 'valibot';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import { defineChannel, defineJob, defineMethod } from '../src/index.js';

const sendEmail = defineJob(
  'emails',
  z.object({ to: z.email(), template: z.string().default('welcome') }),
  {
    maxAttempts: 5,
    priority: 2,
  },
);

describe('defineJob', () => {
  it('carries the queue name, the schema and the defaults', () => {
    expect(sendEmail).toMatchObject({
      kind: 'job',
      name: 'emails',
      defaults: { maxAttempts: 5, priority: 2 },
    });
    expect(Object.isFrozen(sendEmail)).toBe(true);
  });

  it('types the payload on both sides: input before defaults, output after', async () => {
    expectTypeOf<ContractInput<typeof sendEmail>>().toEqualTypeOf<{
      to: string;
      template?: string | undefined;
    }>();
    expectTypeOf<ContractOutput<typeof sendEmail>>().toEqualTypeOf<{
      to: string;
      template: string;
    }>();
    expectTypeOf(sendEmail.name).toEqualTypeOf<'emails'>();
    await expect(validate(sendEmail.schema, { to: 'ada@example.com' })).resolves.toEqual({
      to: 'ada@example.com',
      template: 'welcome',
    });
  });

  it('lists every issue with its path', async () => {
    const error = await validate(sendEmail.schema, { to: 'not-an-email', template: 3 }).catch(
      (caught) => caught,
    );
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).issues.map((issue) => issue.path.join('.')).sort()).toEqual([
      'template',
      'to',
    ]);
  });

  it('refuses bad names, non-schemas and bad defaults', () => {
    expect(() => defineJob('bad name', z.string())).toThrow(InvalidNameError);
    expect(() => defineJob('emails', { parse: () => 1 } as never)).toThrow(ValidationError);
    expect(() => defineJob('emails', z.string(), { maxAttempts: 0 })).toThrow(/maxAttempts/);
    expect(() => defineJob('emails', z.string(), { priority: 1.5 })).toThrow(/priority/);
  });
});

describe('defineChannel', () => {
  it('defines a typed channel and refuses bad channel names', () => {
    const userSignup = defineChannel('events.user_signup', z.object({ userId: z.number() }));
    expect(userSignup).toMatchObject({ kind: 'channel', name: 'events.user_signup' });
    expectTypeOf<ContractOutput<typeof userSignup>>().toEqualTypeOf<{ userId: number }>();
    expect(() => defineChannel("it's", z.number())).toThrow(InvalidNameError);
  });
});

describe('defineMethod', () => {
  it('keeps request and response schemas and the default timeout', () => {
    const resize = defineMethod('rpc_images', {
      request: z.object({ width: z.number().int() }),
      response: z.object({ url: z.string() }),
      timeoutMs: 5_000,
    });
    expect(resize).toMatchObject({
      kind: 'method',
      name: 'rpc_images',
      defaults: { timeoutMs: 5_000 },
    });
    expectTypeOf<ContractInput<typeof resize>>().toEqualTypeOf<{ width: number }>();
    expect(() =>
      defineMethod('rpc_images', { request: z.number(), response: z.number(), timeoutMs: -1 }),
    ).toThrow(/timeoutMs/);
  });
});

describe('other Standard Schema validators', () => {
  it('works with valibot', async () => {
    const contract = defineJob('valibot_jobs', v.object({ id: v.pipe(v.number(), v.integer()) }));
    expectTypeOf<ContractOutput<typeof contract>>().toEqualTypeOf<{ id: number }>();
    await expect(validate(contract.schema, { id: 3 })).resolves.toEqual({ id: 3 });
    await expect(validate(contract.schema, { id: 3.5 })).rejects.toThrow(ValidationError);
  });

  it('works with arktype', async () => {
    const contract = defineChannel('arktype.events', type({ id: 'number.integer' }));
    expectTypeOf<ContractOutput<typeof contract>>().toEqualTypeOf<{ id: number }>();
    await expect(validate(contract.schema, { id: 3 })).resolves.toEqual({ id: 3 });
    const error = await validate(contract.schema, { id: 'x' }).catch((caught) => caught);
    expect((error as ValidationError).issues[0]?.path).toEqual(['id']);
  });
});
