import type { Job } from '../job.js';

/**
 * Where a claimed job is in its worker. Only `RunningJobs` moves it:
 *
 * ```text
 * waiting ──next()──▶ running ──commit()──▶ committing ──settle()──▶ settling ──finish()──▶ gone
 *    │                  │ └──────────────settle()───────────────────▶ ▲
 *    │                  └──abandon()──▶ released ──finish()──▶ gone
 *    └──takeWaiting() / abortLost()──▶ gone
 * ```
 *
 * - `waiting`: claimed (prefetched), holds no slot yet.
 * - `running`: its handler runs and holds one of the worker's slots.
 * - `committing`: a transactional handler returned; its completion commits in the handler's
 *   transaction, still holding the slot (and a connection).
 * - `settling`: the handler is done and its slot free; its outcome is being written.
 * - `released`: handed back by `stop()` after its timeout; nothing it does is recorded.
 */
export type RunningJobState = 'waiting' | 'running' | 'committing' | 'settling' | 'released';

/** A job a worker holds, from claim until its outcome is written. */
export interface RunningJob {
  readonly job: Job;
  readonly leaseToken: string;
  readonly controller: AbortController;
  /** Read anywhere, written only by `RunningJobs`. */
  readonly state: RunningJobState;
}
