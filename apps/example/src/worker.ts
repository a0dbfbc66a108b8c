import type { Pgq } from '@pgq/core';
import { Scheduler, Worker } from '@pgq/queue';
import { RpcServer } from '@pgq/rpc';
import type { Kysely } from 'kysely';
import type { AppDatabase } from './app-database.js';
import { makeThumbnail, nightlyReport, welcomeEmail } from './contracts.js';
import { type NightlyReport, runSignupReport, type SignupReport } from './nightly-report.js';
import { openQueues } from './queues.js';
import { describeThumbnail, type Thumbnail, type ThumbnailRequest } from './thumbnail.js';
import { type SentEmail, sendWelcomeEmail, type WelcomeEmail } from './welcome-email.js';

/** Options of `startWorker`. */
export interface StartWorkerOptions {
  pgq: Pgq;
  /** The app's database (the nightly report reads `users`). */
  db: Kysely<AppDatabase>;
  /** Where the worker reports what it does. Default: nowhere. */
  log?: (line: string) => void;
}

/** The worker's services, running. */
export interface RunningWorker {
  emails: Worker<WelcomeEmail, SentEmail>;
  reports: Worker<NightlyReport, SignupReport>;
  thumbnails: RpcServer<ThumbnailRequest, Thumbnail>;
  scheduler: Scheduler;
  /** Stops everything gracefully: running jobs finish first. Safe to call twice. */
  stop(): Promise<void>;
}

/** The nightly report's schedule: 03:00 UTC every day. */
export const nightlySchedule = {
  name: 'nightly-signup-report',
  cron: '0 3 * * *',
  timezone: 'UTC',
} as const;

/**
 * Starts the app's background side: the welcome email worker, the thumbnail RPC server, the
 * nightly report worker and the cron scheduler that enqueues it. `pnpm start` runs it in the
 * same process as the HTTP server; nothing here touches HTTP, so it can run in processes of
 * its own (`pnpm --filter @pgq/example worker`), as many as you like.
 *
 * @example
 * ```ts
 * const worker = await startWorker({ pgq, db, log: console.log });
 * process.once('SIGTERM', () => worker.stop());
 * ```
 */
export async function startWorker(options: StartWorkerOptions): Promise<RunningWorker> {
  const { pgq, db } = options;
  const log = options.log ?? (() => {});
  await openQueues(pgq);

  const emails = new Worker(pgq, welcomeEmail, (job) => sendWelcomeEmail(job.payload, log));
  const reports = new Worker(pgq, nightlyReport, async (job) => {
    const report = await runSignupReport(db, job.payload);
    log(`→ nightly report: ${report.signups} signups in the last ${report.periodHours} h`);
    return report;
  });
  const thumbnails = new RpcServer(pgq, makeThumbnail, (request) => describeThumbnail(request));
  for (const worker of [emails, reports]) {
    worker.on('error', (error) => log(`worker error on ${worker.queue.name}: ${error.message}`));
    worker.on('dead', (job, error) =>
      log(`job ${job.id} on ${job.queue} is dead: ${String(error)}`),
    );
  }
  thumbnails.on('error', (error) => log(`RPC server error on thumbnails: ${error.message}`));

  // `set` is an upsert by name that keeps the next tick when the expression is unchanged, so
  // every worker process may register at start; however many schedulers run, each tick
  // enqueues exactly one job.
  const scheduler = new Scheduler(pgq);
  scheduler.on('error', (error) => log(`scheduler error: ${error.message}`));
  scheduler.on('fired', (fired) => log(`→ cron ${fired.schedule}: job ${fired.jobId} enqueued`));
  await scheduler.set(nightlySchedule.name, {
    cron: nightlySchedule.cron,
    timezone: nightlySchedule.timezone,
    queue: nightlyReport,
    payload: { report: 'signups', periodHours: 24 },
  });

  const started: Array<{ stop(): Promise<void> }> = [];
  const stop = async (): Promise<void> => {
    // In reverse order of start: the scheduler stops enqueuing before the workers stop.
    for (const service of started.splice(0)) await service.stop();
  };
  try {
    for (const service of [emails, reports, thumbnails, scheduler]) {
      await service.start();
      started.unshift(service);
    }
  } catch (error) {
    await stop();
    throw error;
  }
  let stopping: Promise<void> | undefined;
  return {
    emails,
    reports,
    thumbnails,
    scheduler,
    stop: () => {
      stopping ??= stop();
      return stopping;
    },
  };
}
