import type { ContractOutput } from '@pgq/core';
import { type Kysely, sql } from 'kysely';
import type { AppDatabase } from './app-database.js';
import type { nightlyReport } from './contracts.js';

/** A nightly report job's payload. */
export type NightlyReport = ContractOutput<typeof nightlyReport>;

/** The report the job stores as its result. */
export interface SignupReport {
  periodHours: number;
  signups: number;
}

/**
 * The nightly report: how many users signed up in the period. The cron schedule enqueues it
 * every night; run it by hand with `pgq job send reports '{"report":"signups","periodHours":24}'`.
 *
 * @example
 * ```ts
 * const report = await runSignupReport(db, { report: 'signups', periodHours: 24 });
 * ```
 */
export async function runSignupReport(
  db: Kysely<AppDatabase>,
  report: NightlyReport,
): Promise<SignupReport> {
  const row = await db
    .selectFrom('users')
    .select((eb) => eb.fn.countAll<string>().as('signups'))
    // The database clock decides the period, as it does for every pgq timestamp.
    .where('created_at', '>', sql<Date>`now() - make_interval(hours => ${report.periodHours})`)
    .executeTakeFirstOrThrow();
  return { periodHours: report.periodHours, signups: Number(row.signups) };
}
