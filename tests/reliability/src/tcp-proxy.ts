import { createServer, type Server, type Socket, connect as tcpConnect } from 'node:net';

interface Pair {
  client: Socket;
  upstream: Socket;
  blackHoled: boolean;
}

/**
 * A TCP proxy on a free local port that forwards to `target`, and can black-hole the
 * connections it carries: their bytes are dropped in both directions while both sockets stay
 * open, as when a NAT or firewall forgets a flow. The kernel still answers TCP keepalives on
 * the proxy's side, so only an application-level check notices: a half-open connection.
 *
 * @example
 * ```ts
 * const proxy = await TcpProxy.start({ host: '127.0.0.1', port: 5432 });
 * const pgq = connect({ connectionString: `postgres://postgres@127.0.0.1:${proxy.port}/postgres` });
 * proxy.blackHole(); // every connection open now goes silent; new ones are forwarded
 * await proxy.close();
 * ```
 */
export class TcpProxy {
  readonly #pairs = new Set<Pair>();
  readonly #server: Server;

  private constructor(target: { host: string; port: number }) {
    this.#server = createServer((client) => this.#forward(client, target));
  }

  /** Starts a proxy to `target` on a free port of 127.0.0.1. */
  static async start(target: { host: string; port: number }): Promise<TcpProxy> {
    const proxy = new TcpProxy(target);
    await new Promise<void>((resolve, reject) => {
      proxy.#server.once('error', reject);
      proxy.#server.listen(0, '127.0.0.1', () => resolve());
    });
    return proxy;
  }

  /** The local port to connect to. */
  get port(): number {
    const address = this.#server.address();
    if (typeof address !== 'object' || !address) throw new Error('The proxy is not listening');
    return address.port;
  }

  /** Connections being forwarded now (black-holed ones excluded). */
  get forwarding(): number {
    return [...this.#pairs].filter((pair) => !pair.blackHoled).length;
  }

  /** Stops forwarding every connection open now, without closing it; returns how many. */
  blackHole(): number {
    let count = 0;
    for (const pair of this.#pairs) {
      if (pair.blackHoled) continue;
      pair.blackHoled = true;
      count++;
    }
    return count;
  }

  /** Destroys every connection (black-holed ones too) and stops listening. */
  async close(): Promise<void> {
    for (const pair of this.#pairs) {
      pair.client.destroy();
      pair.upstream.destroy();
    }
    this.#pairs.clear();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #forward(client: Socket, target: { host: string; port: number }): void {
    const upstream = tcpConnect(target.port, target.host);
    const pair: Pair = { client, upstream, blackHoled: false };
    this.#pairs.add(pair);
    client.on('data', (chunk) => {
      if (!pair.blackHoled) upstream.write(chunk);
    });
    upstream.on('data', (chunk) => {
      if (!pair.blackHoled) client.write(chunk);
    });
    // A black-holed flow passes no FIN either: the peer that closes is not told, and the
    // other side stays open until `close()`.
    const closed = () => {
      if (pair.blackHoled) return;
      this.#pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('close', closed);
    upstream.on('close', closed);
    // Errors end in `close`; a reset mid-test must not crash the runner.
    client.on('error', () => {});
    upstream.on('error', () => {});
  }
}
