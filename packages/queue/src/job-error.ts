import type { ErrorRecord } from '@pgq/core/internal';

/**
 * A failed attempt's error as stored on the job (`lastError`): readable whatever was thrown,
 * each field cut to fit the 64 kB a job's error may take.
 *
 * @example
 * ```ts
 * const job = await emails.get(id);
 * if (job?.state === 'dead') console.error(job.lastError?.message);
 * ```
 */
export interface JobError extends ErrorRecord {}
