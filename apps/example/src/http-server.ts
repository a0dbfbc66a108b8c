import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createAdaptorServer } from '@hono/node-server';
import type { Hono } from 'hono';

/** An HTTP server listening. */
export interface HttpServer {
  /** `http://<hostname>:<port>` */
  url: string;
  port: number;
  /**
   * Stops accepting connections, lets requests in flight finish for up to `graceMs`
   * (default 5000), then drops what is left. Safe to call twice.
   */
  close(options?: { graceMs?: number }): Promise<void>;
}

/**
 * Serves a Hono app with Node's HTTP server. Port 0 takes a free port (see `url`).
 *
 * @example
 * ```ts
 * const server = await listen(app, { port: 3000 });
 * console.log(`listening on ${server.url}`);
 * await server.close();
 * ```
 */
export async function listen(
  app: Hono,
  options: { port: number; hostname?: string },
): Promise<HttpServer> {
  const hostname = options.hostname ?? '127.0.0.1';
  const server = createAdaptorServer({ fetch: app.fetch, hostname }) as Server;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, hostname, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const host = hostname.includes(':') ? `[${hostname}]` : hostname;
  let closing: Promise<void> | undefined;
  // A keep-alive connection whose response ends after `close()` began would otherwise stay
  // open until its keep-alive timeout: close it as soon as it is idle.
  server.on('request', (_request, response) => {
    response.once('close', () => {
      if (closing) setImmediate(() => server.closeIdleConnections());
    });
  });
  return {
    url: `http://${host}:${port}`,
    port,
    close(closeOptions = {}) {
      closing ??= closeServer(server, closeOptions.graceMs ?? 5_000);
      return closing;
    },
  };
}

function closeServer(server: Server, graceMs: number): Promise<void> {
  return new Promise((resolve) => {
    const grace = setTimeout(() => server.closeAllConnections(), graceMs);
    grace.unref();
    server.close(() => {
      clearTimeout(grace);
      resolve();
    });
    // Keep-alive connections with no request in flight would hold `close` open for nothing.
    server.closeIdleConnections();
  });
}
