import { type Contract, LeaseLostError, type Pgq, type TxOptions, validate } from '@pgq/core';
import { toErrorRecord, toJsonText } from '@pgq/core/internal';
import { resolveRetryOptions, retryDelayMs } from '../backoff.js';
import type { Job } from '../job.js';
import type {
  CompleteManyResult,
  Completion,
  DequeueOptions,
  FailOptions,
  FailResult,
} from '../queue-options.js';
import { jobAttempts } from '../sql/job-attempts.js';
import { jobFromRow } from '../sql/job-row.js';
import { jobsClaim } from '../sql/jobs-claim.js';
import { jobsComplete } from '../sql/jobs-complete.js';
import { jobsFail } from '../sql/jobs-fail.js';
import type { LeaseBook } from './lease-book.js';

/** What the by-hand operations of one `Queue` share. */
export interface ConsumerContext {
  pgq: Pgq;
  queue: string;
  contract: Contract | undefined;
  leases: LeaseBook;
}

/**
 * `Queue.dequeueMany`: claims, remembers each lease token and, with a contract, validates
 * each payload; a job whose payload fails goes straight to dead and is left out.
 */
export async function dequeueMany<Output, Result>(
  context: ConsumerContext,
  limit: number,
  options: DequeueOptions,
): Promise<Array<Job<Output, Result>>> {
  const { pgq, queue, contract, leases } = context;
  const claim = await jobsClaim(pgq, queue, limit, options.leaseMs ?? null, null, options.tx);
  const jobs: Array<Job<Output, Result>> = [];
  for (const row of claim.jobs) {
    const job = jobFromRow<Output, Result>(row);
    leases.remember(job.id, { leaseToken: job.leaseToken!, attempts: job.attempts });
    if (contract) {
      try {
        job.payload = (await validate(contract.schema, job.payload)) as Output;
      } catch (error) {
        await failLeased(context, job, error, { dead: true, tx: options.tx });
        continue;
      }
    }
    jobs.push(job);
  }
  return jobs;
}

/** `Queue.completeMany`: one fenced statement; reports the leases that were lost. */
export async function completeMany<Result>(
  context: ConsumerContext,
  items: ReadonlyArray<Job | string | Completion<Result>>,
  options: TxOptions,
): Promise<CompleteManyResult> {
  const { pgq, queue, leases } = context;
  const completions = items.map((item) => {
    const { job, result, leaseToken } = isCompletion(item) ? item : { job: item };
    const lease = leases.resolve(job, leaseToken);
    return {
      id: lease.id,
      leaseToken: lease.leaseToken,
      result: result === undefined ? null : toJsonText(result, 'result', pgq.maxValueBytes),
    };
  });
  const done = await jobsComplete(pgq, queue, completions, options.tx);
  for (const completion of completions) leases.forget(completion.id, completion.leaseToken);
  return {
    completed: completions.filter((item) => done.has(item.leaseToken)).map((item) => item.id),
    lost: completions.filter((item) => !done.has(item.leaseToken)).map((item) => item.id),
  };
}

/** `Queue.fail`: backoff retry or dead, fenced; `LeaseLostError` when the lease is gone. */
export async function failLeased(
  context: ConsumerContext,
  job: Job | string,
  error: unknown,
  options: FailOptions,
): Promise<FailResult> {
  const { pgq, queue, leases } = context;
  const lease = leases.resolve(job, options.leaseToken);
  const attempts = lease.attempts ?? (await jobAttempts(pgq, queue, lease.id, lease.leaseToken));
  if (attempts === undefined) throw new LeaseLostError(lease.id);
  const failure = {
    id: lease.id,
    leaseToken: lease.leaseToken,
    error: toJsonText(toErrorRecord(error), 'error'),
    delayMs: retryDelayMs(attempts, resolveRetryOptions(options.retry)),
    final: options.dead ?? false,
  };
  const outcomes = await jobsFail(pgq, queue, [failure], options.tx);
  leases.forget(lease.id, lease.leaseToken);
  const outcome = outcomes.get(lease.leaseToken);
  if (!outcome) throw new LeaseLostError(lease.id);
  return outcome;
}

function isCompletion(item: unknown): item is Completion<unknown> {
  return typeof item === 'object' && item !== null && 'job' in item;
}
