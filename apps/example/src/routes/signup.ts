import { SqlState, sqlStateOf } from '@pgq/core';
import { Hono } from 'hono';
import type { AppServices } from '../app-services.js';
import { signupRequest, userSignup } from '../contracts.js';
import { readBody } from './read-body.js';

/**
 * `POST /signup {email}`: inserts the user and, in the same transaction, enqueues the
 * welcome email and publishes `user_signup`. A duplicate email fails the insert, the
 * transaction rolls back, and neither the job nor the event ever exists: 409.
 *
 * @example
 * ```ts
 * app.route('/', signupRoutes(services));
 * ```
 */
export function signupRoutes(services: AppServices): Hono {
  const { db, queues, bus } = services;
  return new Hono().post('/signup', async (c) => {
    const { email } = await readBody(c, signupRequest);
    try {
      const signup = await db.transaction().execute(async (tx) => {
        const user = await tx
          .insertInto('users')
          .values({ email })
          .returningAll()
          .executeTakeFirstOrThrow();
        // The outbox: both writes join `tx`, so they exist only if the insert commits.
        const job = await queues.emails.enqueue({ userId: user.id, to: user.email }, { tx });
        await bus.publish(userSignup, { userId: user.id, email: user.email }, { tx });
        return { user, welcomeJobId: job.id };
      });
      return c.json(
        {
          id: signup.user.id,
          email: signup.user.email,
          createdAt: signup.user.created_at,
          welcomeJobId: signup.welcomeJobId,
        },
        201,
      );
    } catch (error) {
      if (sqlStateOf(error) === SqlState.uniqueViolation) {
        return c.json({ error: `${email} is already signed up` }, 409);
      }
      throw error;
    }
  });
}
