import { Hono } from 'hono';
import type { AppServices } from '../app-services.js';
import { makeThumbnail } from '../contracts.js';
import { readBody } from './read-body.js';

/**
 * `POST /thumbnails {url, width}`: an RPC call to whichever worker serves `thumbnails`, which
 * computes the thumbnail's description; the request waits for its reply (NOTIFY, no polling).
 * A bad request is refused here (400) before anything is sent; no worker in time gives 504.
 *
 * @example
 * ```ts
 * app.route('/', thumbnailRoutes(services));
 * ```
 */
export function thumbnailRoutes(services: AppServices): Hono {
  const { rpc } = services;
  return new Hono().post('/thumbnails', async (c) => {
    const request = await readBody(c, makeThumbnail.schema);
    return c.json(await rpc.call(makeThumbnail, request));
  });
}
