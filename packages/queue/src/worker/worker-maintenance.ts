import type { Pgq } from '@pgq/core';
import { WakeLoop } from '@pgq/core/internal';
import { jobsChannel } from '../channels.js';
import { archiveClean } from '../sql/archive-clean.js';
import type { JobRow } from '../sql/job-row.js';
import { jobsNotify } from '../sql/jobs-notify.js';
import { jobsRescue } from '../sql/jobs-rescue.js';
import { workerRegister } from './sql/worker-register.js';
import { workerUnregister } from './sql/worker-unregister.js';
import { workersPrune } from './sql/workers-prune.js';

/** What `WorkerMaintenance` needs from its worker. */
export interface WorkerMaintenanceOptions {
  pgq: Pgq;
  queue: string;
  worker: { id: string; hostname: string; pid: number };
  rescueIntervalMs: number;
  cleanupIntervalMs: number;
  /** Jobs the rescue found out of attempts: their own worker is gone and cannot report them. */
  onDead(rows: JobRow[]): void;
  onError(error: unknown): void;
}

// Bounded work per tick: a backlog is worked off over several ticks, never in one long burst.
const rescueBatchSize = 100;
const cleanBatchSize = 1_000;
const maxBatchesPerTick = 10;
const minimumStaleMs = 60_000;

/**
 * The background duties every live worker shares (River's rescuer and cleaner): rescue jobs
 * whose lease expired, keep this worker's registry row fresh, and now and then remove archived
 * jobs past retention and registry rows of workers that died. Any number of workers may run it
 * at once: every statement is bounded and skips rows another worker has locked.
 */
export class WorkerMaintenance {
  readonly #options: WorkerMaintenanceOptions;
  readonly #loop: WakeLoop;
  #lastCleanup = 0;

  constructor(options: WorkerMaintenanceOptions) {
    this.#options = options;
    this.#loop = new WakeLoop({
      turn: () => this.#tick(),
      intervalMs: options.rescueIntervalMs,
      errorDelayMs: options.rescueIntervalMs,
      onError: options.onError,
    });
  }

  /** Registers the worker and runs a first rescue before its first claim. */
  async start(): Promise<void> {
    const { pgq, queue, worker } = this.#options;
    await workerRegister(pgq, { ...worker, queues: [queue] });
    this.#lastCleanup = Date.now();
    await this.#tick().catch(this.#options.onError);
    this.#loop.start(this.#options.rescueIntervalMs);
  }

  /** Stops the timer, lets a running tick finish and removes the registry row. */
  async stop(): Promise<void> {
    await this.#loop.stop();
    await workerUnregister(this.#options.pgq, this.#options.worker.id).catch((error) =>
      this.#options.onError(error),
    );
  }

  async #tick(): Promise<void> {
    const { pgq, queue, worker } = this.#options;
    let rescued = 0;
    for (let batch = 0; batch < maxBatchesPerTick; batch++) {
      const { retried, dead } = await jobsRescue(pgq, queue, rescueBatchSize);
      rescued += retried;
      if (dead.length > 0) this.#options.onDead(dead);
      if (retried + dead.length < rescueBatchSize) break;
    }
    // Idle workers (this one included) learn of the rescued jobs as of new ones.
    if (rescued > 0) await jobsNotify(pgq, jobsChannel(pgq), queue);
    await workerRegister(pgq, { ...worker, queues: [queue] });
    if (Date.now() - this.#lastCleanup >= this.#options.cleanupIntervalMs) {
      this.#lastCleanup = Date.now();
      for (let batch = 0; batch < maxBatchesPerTick; batch++) {
        if ((await archiveClean(pgq, queue, cleanBatchSize)) < cleanBatchSize) break;
      }
      const staleMs = Math.max(minimumStaleMs, 6 * this.#options.rescueIntervalMs);
      await workersPrune(pgq, staleMs);
    }
  }
}
