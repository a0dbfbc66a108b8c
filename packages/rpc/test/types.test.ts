import { type ContractInput, connect, type MethodResponseInput } from '@pgq/core';
import { afterAll, describe, expectTypeOf, it } from 'vitest';
import { RpcClient, type RpcContext, RpcServer } from '../src/index.js';
import { doubleMethod } from './fixtures/schemas.js';

// Type tests: checked by `tsc` (the package's tsconfig includes test/). Nothing here touches
// the database: constructing a client or server opens no connection.
const pgq = connect({ connectionString: 'postgres://localhost/unused', schema: 'pgq' });
const rpc = new RpcClient(pgq);
const double = doubleMethod('rpc_double');

afterAll(async () => {
  await rpc.close();
  await pgq.close();
});

describe('types', () => {
  it('types a call by its method contract: request input in, response output out', () => {
    const call = () => rpc.call(double, { n: 1 });
    expectTypeOf(call).returns.resolves.toEqualTypeOf<{ doubled: number; even: boolean }>();
    expectTypeOf<ContractInput<typeof double>>().toEqualTypeOf<{ n: number; label?: string }>();
    expectTypeOf(() => rpc.call(double, { n: 1, label: 'x' })).returns.resolves.toBeObject();
    // @ts-expect-error: n must be a number
    const wrongRequest = () => rpc.call(double, { n: 'one' });
    // @ts-expect-error: n is required
    const missingField = () => rpc.call(double, {});
    expectTypeOf(wrongRequest).toBeFunction();
    expectTypeOf(missingField).toBeFunction();
  });

  it('types a call by name with the response type given, unknown otherwise', () => {
    expectTypeOf(() => rpc.call<number>('rpc_add', { a: 1 })).returns.resolves.toBeNumber();
    expectTypeOf(() => rpc.call('rpc_add', { a: 1 })).returns.resolves.toBeUnknown();
  });

  it('types a server handler by its method contract: request output in, response input out', () => {
    const server = new RpcServer(pgq, double, (request, context) => {
      expectTypeOf(request).toEqualTypeOf<{ n: number; label: string }>();
      expectTypeOf(context).toEqualTypeOf<RpcContext<{ n: number; label: string }>>();
      expectTypeOf(context.job.payload.request).toEqualTypeOf<{ n: number; label: string }>();
      return { doubled: request.n * 2 };
    });
    expectTypeOf(server).toEqualTypeOf<
      RpcServer<{ n: number; label: string }, { doubled: number }>
    >();
    expectTypeOf<MethodResponseInput<typeof double>>().toEqualTypeOf<{ doubled: number }>();

    // @ts-expect-error: the handler must return the method's response
    new RpcServer(pgq, double, () => ({ doubled: 'two' }));
    // @ts-expect-error: the handler must return the method's response
    new RpcServer(pgq, double, async () => 42);
  });

  it('types a server by name from its type arguments or its handler', () => {
    const given = new RpcServer<{ a: number; b: number }, number>(pgq, 'rpc_add', (request) => {
      expectTypeOf(request).toEqualTypeOf<{ a: number; b: number }>();
      return request.a + request.b;
    });
    expectTypeOf(given).toEqualTypeOf<RpcServer<{ a: number; b: number }, number>>();
    const inferred = new RpcServer(pgq, 'rpc_add', (request: { a: number }) => request.a);
    expectTypeOf(inferred).toEqualTypeOf<RpcServer<{ a: number }, unknown>>();
    // @ts-expect-error: the handler must return the given response type
    new RpcServer<{ a: number }, number>(pgq, 'rpc_add', () => 'text');
  });
});
