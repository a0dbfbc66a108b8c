import type { Pgq } from '@pgq/core';
import { RpcClient, RpcServer } from '@pgq/rpc';
import type { BenchPayload } from '../payload.js';
import { settings } from '../settings.js';
import type { RpcDriver } from './adapter.js';

/** The RPC method (a queue) R1 calls. */
const method = 'bench_rpc';
const callTimeoutMs = 15_000;

class PgqRpc implements RpcDriver {
  readonly #client: RpcClient;
  readonly #server: RpcServer<BenchPayload, BenchPayload>;
  readonly #connections: Pgq[];

  constructor(
    client: RpcClient,
    server: RpcServer<BenchPayload, BenchPayload>,
    connections: Pgq[],
  ) {
    this.#client = client;
    this.#server = server;
    this.#connections = connections;
  }

  call(request: BenchPayload): Promise<BenchPayload> {
    return this.#client.call<BenchPayload>(method, request, { timeoutMs: callTimeoutMs });
  }

  async close(): Promise<void> {
    await this.#client.close();
    await this.#server.stop({ timeoutMs: 2_000 });
    for (const pgq of this.#connections) await pgq.close();
  }
}

/**
 * pgq RPC: an echo server (concurrency 16) on one connection and the caller on another, as
 * two services would be, in one process. `RpcServer.start()` creates the method's queue.
 *
 * @example
 * ```ts
 * const rpc = await openPgqRpc(serverPgq, clientPgq);
 * await rpc.call(makePayload(1)); // the same payload back
 * ```
 */
export async function openPgqRpc(serverPgq: Pgq, clientPgq: Pgq): Promise<RpcDriver> {
  const server = new RpcServer<BenchPayload, BenchPayload>(
    serverPgq,
    method,
    (request) => request,
    { concurrency: settings.concurrency },
  );
  server.on('error', (error) => console.error(`pgq RpcServer: ${error.message}`));
  await server.start();
  const client = new RpcClient(clientPgq);
  client.on('error', (error) => console.error(`pgq RpcClient: ${error.message}`));
  return new PgqRpc(client, server, [clientPgq, serverPgq]);
}
