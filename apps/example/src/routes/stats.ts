import { Hono } from 'hono';
import type { AppServices } from '../app-services.js';

/**
 * `GET /stats`: each queue's counts (`pending`, `active`, `completed`, `dead`, …) as JSON.
 *
 * @example
 * ```ts
 * app.route('/', statsRoutes(services));
 * ```
 */
export function statsRoutes(services: AppServices): Hono {
  const { queues } = services;
  return new Hono().get('/stats', async (c) => {
    const entries = await Promise.all(
      Object.values(queues).map(async (queue) => [queue.name, await queue.stats()] as const),
    );
    return c.json({ queues: Object.fromEntries(entries) });
  });
}
