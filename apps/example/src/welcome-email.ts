import { createHash } from 'node:crypto';
import type { ContractOutput } from '@pgq/core';
import type { welcomeEmail } from './contracts.js';

/** A welcome email job's payload. */
export type WelcomeEmail = ContractOutput<typeof welcomeEmail>;

/** What the worker stores as the job's result once the email is sent. */
export interface SentEmail {
  to: string;
  subject: string;
  messageId: string;
}

/**
 * Sends the welcome email. The sample has no mail server: it hands the message to `deliver`
 * (the console in `pnpm start`); swap in your mail provider's client here. The message id
 * is derived from the user, so a retried job sends the same message id (providers that
 * deduplicate by it send it once).
 *
 * @example
 * ```ts
 * const sent = await sendWelcomeEmail({ userId: 1, to: 'ada@example.com' }, console.log);
 * ```
 */
export async function sendWelcomeEmail(
  email: WelcomeEmail,
  deliver: (line: string) => void,
): Promise<SentEmail> {
  const subject = 'Welcome to the pgq example!';
  const digest = createHash('sha256').update(`welcome:${email.userId}`).digest('hex');
  const messageId = `<${digest.slice(0, 16)}@example.pgq>`;
  deliver(`→ welcome email to ${email.to} (user ${email.userId}), message ${messageId}`);
  return { to: email.to, subject, messageId };
}
