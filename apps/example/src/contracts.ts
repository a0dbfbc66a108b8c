// Every message the app and its worker exchange, in one place: the HTTP side and the worker
// both import these, so a payload is typed and validated the same way on both ends.
import { defineChannel, defineJob, defineMethod } from '@pgq/schema';
import { z } from 'zod';

/**
 * The welcome email the worker sends after a signup. Enqueued in the signup's transaction.
 *
 * @example
 * ```ts
 * await new Queue(pgq, welcomeEmail).enqueue({ userId: 1, to: 'ada@example.com' }, { tx });
 * ```
 */
export const welcomeEmail = defineJob(
  'emails',
  z.object({ userId: z.number().int().positive(), to: z.email() }),
  { maxAttempts: 5 },
);

/**
 * Announced to live listeners (`GET /events`) when a signup commits.
 *
 * @example
 * ```ts
 * await bus.publish(userSignup, { userId: 1, email: 'ada@example.com' }, { tx });
 * ```
 */
export const userSignup = defineChannel(
  'events.user_signup',
  z.object({ userId: z.number().int().positive(), email: z.email() }),
);

/**
 * Computes a thumbnail's description on the worker: the HTTP side calls it over RPC.
 *
 * @example
 * ```ts
 * const thumbnail = await rpc.call(makeThumbnail, { url: 'https://example.com/a.png', width: 200 });
 * ```
 */
export const makeThumbnail = defineMethod('thumbnails', {
  request: z.object({ url: z.url(), width: z.number().int().min(16).max(4096) }),
  response: z.object({
    url: z.url(),
    width: z.number().int(),
    height: z.number().int(),
    sha256: z.string().regex(/^[0-9a-f]{64}$/),
    description: z.string(),
  }),
  timeoutMs: 10_000,
});

/**
 * The nightly report the cron schedule enqueues: signups of the last day.
 *
 * @example
 * ```ts
 * await new Queue(pgq, nightlyReport).enqueue({ report: 'signups', periodHours: 24 });
 * ```
 */
export const nightlyReport = defineJob(
  'reports',
  z.object({ report: z.literal('signups'), periodHours: z.number().int().positive() }),
);

/** The request body of `POST /signup`. */
export const signupRequest = z.object({ email: z.string().trim().toLowerCase().pipe(z.email()) });
