import { Hono } from 'hono';
import type { AppServices } from '../app-services.js';

/** A user as the API shows it (and as the cache stores it). */
export interface UserProfile {
  id: number;
  email: string;
  createdAt: string;
}

// Profiles change rarely here (never, in fact); a minute keeps the example's hit visible.
const profileTtlSeconds = 60;

// Thrown by the loader so that a missing user is not cached (a later signup may take the id).
class UserNotFound extends Error {}

/**
 * `GET /users/:id`: the profile through `cache.getOrSet`; the `x-cache` header says `hit`
 * (served from the cache) or `miss` (loaded from `users` and cached for a minute).
 *
 * @example
 * ```ts
 * app.route('/', userRoutes(services));
 * ```
 */
export function userRoutes(services: AppServices): Hono {
  const { db, cache } = services;
  return new Hono().get('/users/:id', async (c) => {
    const id = Number(c.req.param('id'));
    if (!Number.isSafeInteger(id) || id < 1) return c.json({ error: 'No such user' }, 404);
    let loaded = false;
    try {
      const profile = await cache.getOrSet<UserProfile>(
        `user:${id}`,
        profileTtlSeconds,
        async () => {
          loaded = true;
          const user = await db
            .selectFrom('users')
            .selectAll()
            .where('id', '=', id)
            .executeTakeFirst();
          if (!user) throw new UserNotFound();
          return { id: user.id, email: user.email, createdAt: user.created_at.toISOString() };
        },
      );
      c.header('x-cache', loaded ? 'miss' : 'hit');
      return c.json(profile);
    } catch (error) {
      if (error instanceof UserNotFound) return c.json({ error: 'No such user' }, 404);
      throw error;
    }
  });
}
