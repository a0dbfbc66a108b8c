import { Hono } from 'hono';
import { streamSSE } from 'hono/streaming';
import type { AppServices } from '../app-services.js';
import { userSignup } from '../contracts.js';

// Proxies close a response that stays silent too long; an SSE comment line keeps it open.
const keepAliveIntervalMs = 15_000;

/**
 * `GET /events`: a Server-Sent Events stream of `user_signup` events, for `curl -N` or a
 * browser's `EventSource`. The first event, `ready`, says the subscription is listening:
 * every signup committed after it arrives as a `user_signup` event. Each client has its own
 * subscription (all sharing the process's one LISTEN connection), closed when it leaves or
 * when `closing` aborts (the server is stopping).
 * Pub/sub is fire-and-forget: signups made while a client was away are not replayed.
 *
 * @example
 * ```ts
 * app.route('/', eventRoutes(services, shutdown.signal));
 * ```
 */
export function eventRoutes(services: AppServices, closing: AbortSignal): Hono {
  const { bus } = services;
  return new Hono().get('/events', (c) =>
    streamSSE(c, async (stream) => {
      const subscription = await bus.subscribe(userSignup);
      // Unsubscribing ends the `for await` below, which ends the response.
      const end = () => void subscription.unsubscribe();
      stream.onAbort(end);
      closing.addEventListener('abort', end, { once: true });
      if (stream.aborted || closing.aborted) end();
      const keepAlive = setInterval(
        () => void stream.write(': keep-alive\n\n'),
        keepAliveIntervalMs,
      );
      keepAlive.unref();
      try {
        await stream.writeSSE({
          event: 'ready',
          data: JSON.stringify({ channel: userSignup.name }),
        });
        for await (const message of subscription) {
          await stream.writeSSE({
            event: 'user_signup',
            id: message.id,
            data: JSON.stringify(message.payload),
          });
        }
      } finally {
        clearInterval(keepAlive);
        closing.removeEventListener('abort', end);
        await subscription.unsubscribe();
      }
    }),
  );
}
