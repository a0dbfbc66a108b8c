import { Hono } from 'hono';
import type { AppServices } from './app-services.js';
import { eventRoutes } from './routes/events.js';
import { httpErrorHandler } from './routes/http-errors.js';
import { signupRoutes } from './routes/signup.js';
import { statsRoutes } from './routes/stats.js';
import { thumbnailRoutes } from './routes/thumbnails.js';
import { userRoutes } from './routes/users.js';

/** Options of `createHttpApp`. */
export interface HttpAppOptions {
  /** Aborted when the server stops: long-lived responses (the SSE stream) end then. */
  closing?: AbortSignal;
}

/**
 * The app's HTTP routes, as a Hono app (serve it with `@hono/node-server`, or call
 * `app.request()` in a test).
 *
 * @example
 * ```ts
 * const app = createHttpApp(await openAppServices(pgq, 'example'));
 * const response = await app.request('/stats');
 * ```
 */
export function createHttpApp(services: AppServices, options: HttpAppOptions = {}): Hono {
  const app = new Hono();
  app.get('/', (c) =>
    c.json({
      routes: [
        'POST /signup {email}',
        'GET /users/:id',
        'POST /thumbnails {url, width}',
        'GET /events',
        'GET /stats',
      ],
    }),
  );
  app.route('/', signupRoutes(services));
  app.route('/', userRoutes(services));
  app.route('/', thumbnailRoutes(services));
  app.route('/', eventRoutes(services, options.closing ?? new AbortController().signal));
  app.route('/', statsRoutes(services));
  app.notFound((c) => c.json({ error: 'Not found' }, 404));
  app.onError(httpErrorHandler(services.log));
  return app;
}
