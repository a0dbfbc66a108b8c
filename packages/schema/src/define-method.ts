import {
  assertName,
  type MethodContract as CoreMethodContract,
  type StandardSchemaV1,
} from '@pgq/core';
import { assertSchema, assertWholeNumber } from './assert.js';

/** The two schemas of an RPC method, and its default timeout. */
export interface MethodDefinition<
  Request extends StandardSchemaV1,
  Response extends StandardSchemaV1,
> {
  request: Request;
  response: Response;
  /** How long `call` waits for the reply unless it says otherwise. Default: the client's. */
  timeoutMs?: number;
}

/** An RPC method: the queue that serves it, the request and response schemas. */
export interface MethodContract<
  Name extends string = string,
  Request extends StandardSchemaV1 = StandardSchemaV1,
  Response extends StandardSchemaV1 = StandardSchemaV1,
> extends CoreMethodContract<Name, Request, Response> {
  readonly kind: 'method';
  readonly defaults: Readonly<{ timeoutMs?: number }>;
}

/**
 * Defines an RPC method served on a queue. `RpcClient.call` and `RpcServer` take it in
 * place of the queue name and are then typed by it. The request is validated at `call`
 * and in the server; the response in the server and again at the caller.
 *
 * @example
 * ```ts
 * export const resize = defineMethod('rpc_images', {
 *   request: z.object({ url: z.url(), width: z.number().int().positive() }),
 *   response: z.object({ url: z.url() }),
 *   timeoutMs: 5_000,
 * });
 * const { url } = await rpc.call(resize, { url: 'https://example.com/a.png', width: 200 });
 * ```
 */
export function defineMethod<
  const Name extends string,
  Request extends StandardSchemaV1,
  Response extends StandardSchemaV1,
>(
  queue: Name,
  definition: MethodDefinition<Request, Response>,
): MethodContract<Name, Request, Response> {
  assertName('queue', queue);
  assertSchema(definition.request, 'defineMethod request');
  assertSchema(definition.response, 'defineMethod response');
  if (definition.timeoutMs !== undefined) assertWholeNumber('timeoutMs', definition.timeoutMs, 1);
  const defaults = definition.timeoutMs === undefined ? {} : { timeoutMs: definition.timeoutMs };
  return Object.freeze({
    kind: 'method',
    name: queue,
    schema: definition.request,
    response: definition.response,
    defaults: Object.freeze(defaults),
  });
}
