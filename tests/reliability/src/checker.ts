// A total-queue checker in the manner of Jepsen's: every run of a job records its start (which
// claim, which worker, until when its lease held) and its effect in committed ledger rows; at
// the end `check` compares the ledger and pgq's tables with the enqueues the producer saw
// acknowledged. Every timestamp is on the database clock, like pgq's leases.
import type { Pgq } from '@pgq/core';
import type { Job, JobContext, JobHandler, Worker } from '@pgq/queue';

/**
 * Creates the ledger tables (`ledger_runs`, `ledger_effects`) in `pgq`'s schema, once per test
 * file, before any handler records into them. Idempotent.
 *
 * @example
 * ```ts
 * const db = await createTestDatabase();
 * await installLedger(db.pgq);
 * ```
 */
export async function installLedger(pgq: Pgq): Promise<void> {
  // A run is one claim: its lease token is unique, so it names the run. Several statements
  // in one text: the pool's simple protocol, not `pgq.query`.
  await pgq.pool.query(`
    create table if not exists ${pgq.table('ledger_runs')} (
      lease_token uuid primary key,
      job_id bigint not null,
      queue text not null,
      attempt int not null,
      worker_id text not null,
      started_at timestamptz not null default clock_timestamp(),
      lease_expires_at timestamptz not null,
      finished_at timestamptz,
      acknowledged_at timestamptz
    );
    create index if not exists ledger_runs_job on ${pgq.table('ledger_runs')} (queue, job_id);
    create table if not exists ${pgq.table('ledger_effects')} (
      lease_token uuid not null,
      job_id bigint not null,
      queue text not null,
      at timestamptz not null default clock_timestamp()
    );
    create index if not exists ledger_effects_job on ${pgq.table('ledger_effects')} (queue, job_id);`);
}

/**
 * Records that a run of `job` started: its attempt, worker, when it was claimed and the lease
 * expiry the claim holds (both from the claim, on the database clock, so a handler that
 * records late still dates its run right). Committed at once (never in `ctx.tx`), so a run
 * that dies or rolls back still counts.
 *
 * @example
 * ```ts
 * new Worker(pgq, 'q', async (job, ctx) => { await recordStart(pgq, job, ctx); ... });
 * ```
 */
export async function recordStart(
  pgq: Pgq,
  job: Job,
  ctx: Pick<JobContext, 'workerId'>,
): Promise<void> {
  await pgq.query(
    `insert into ${pgq.table('ledger_runs')}
       (lease_token, job_id, queue, attempt, worker_id, lease_expires_at, started_at)
     values ($1, $2, $3, $4, $5, $6, coalesce($7, clock_timestamp()))`,
    [
      job.leaseToken,
      job.id,
      job.queue,
      job.attempts,
      ctx.workerId,
      job.leaseExpiresAt,
      job.startedAt,
    ],
  );
}

/**
 * Records the job's effect (the write a real handler exists for) and the end of the run. The
 * effect goes in `ctx.tx` when the worker is transactional, so it commits only with the
 * completion; otherwise it commits at once, as a naive handler's would.
 */
export async function recordEffect(pgq: Pgq, job: Job, ctx: Pick<JobContext, 'tx'>): Promise<void> {
  if (ctx.tx) {
    await recordEffectOnly(pgq, job, ctx);
    await recordEnd(pgq, job);
    return;
  }
  await pgq.query(
    `with effect as (${insertEffect(pgq)})
     update ${pgq.table('ledger_runs')} set finished_at = clock_timestamp() where lease_token = $1`,
    [job.leaseToken, job.id, job.queue],
  );
}

/**
 * Records the job's effect alone, in `ctx.tx`: not the end of the run, which would take a
 * second connection while the transaction holds one.
 */
export async function recordEffectOnly(
  pgq: Pgq,
  job: Job,
  ctx: Pick<JobContext, 'tx'>,
): Promise<void> {
  await pgq.query(insertEffect(pgq), [job.leaseToken, job.id, job.queue], { tx: ctx.tx });
}

function insertEffect(pgq: Pgq): string {
  return `insert into ${pgq.table('ledger_effects')} (lease_token, job_id, queue)
    values ($1, $2, $3)`;
}

/** Records the end of a run without an effect (the handler threw). */
export async function recordEnd(pgq: Pgq, job: Job): Promise<void> {
  await pgq.query(
    `update ${pgq.table('ledger_runs')} set finished_at = clock_timestamp() where lease_token = $1`,
    [job.leaseToken],
  );
}

/**
 * Records the lease expiry the run holds now (read from pgq's `jobs` row under this run's
 * token), so heartbeat extensions count in the overlap check. Does nothing once the lease is
 * lost.
 */
export async function recordLease(pgq: Pgq, job: Job): Promise<void> {
  await pgq.query(
    `update ${pgq.table('ledger_runs')} r set lease_expires_at = j.lease_expires_at
       from ${pgq.table('jobs')} j
      where r.lease_token = $1 and j.queue = $2 and j.id = $3 and j.lease_token = $1
        and j.state = 'active'`,
    [job.leaseToken, job.queue, job.id],
  );
}

/**
 * Wraps a handler so every run records its start, then its effect when `body` returns, or its
 * end when `body` throws.
 *
 * @example
 * ```ts
 * const worker = new Worker(pgq, 'q', recorded(pgq, async (job) => sleep(job.payload.ms)));
 * recordCompletions(pgq, worker);
 * ```
 */
export function recorded<Payload, Result>(
  pgq: Pgq,
  body: JobHandler<Payload, Result>,
): JobHandler<Payload, Result> {
  return async (job, ctx) => {
    await recordStart(pgq, job, ctx);
    let result: Result;
    try {
      result = await body(job, ctx);
    } catch (error) {
      await recordEnd(pgq, job);
      throw error;
    }
    await recordEffect(pgq, job, ctx);
    return result;
  };
}

/**
 * Records that pgq acknowledged the completion of this run of `job` (the `Job` as the run got
 * it: its lease token names the run), so `check` can count completions accepted for a stale
 * attempt. For jobs completed by hand; `recordCompletions` does it for a worker.
 */
export async function recordAcknowledged(pgq: Pgq, job: Job): Promise<void> {
  await pgq.query(
    `update ${pgq.table('ledger_runs')} set acknowledged_at = clock_timestamp()
      where lease_token = $1`,
    [job.leaseToken],
  );
}

/**
 * Records every completion `worker` acknowledges (its `completed` event), as
 * `recordAcknowledged` does. Returns a function that resolves once the acknowledgements
 * written so far are committed.
 */
export function recordCompletions(pgq: Pgq, worker: Worker<any, any>): () => Promise<void> {
  const writes = new Set<Promise<void>>();
  worker.on('completed', (job: Job) => {
    const write = recordAcknowledged(pgq, job)
      .catch((error: unknown) =>
        console.error(`ledger: acknowledgement not recorded: ${String(error)}`),
      )
      .finally(() => writes.delete(write));
    writes.add(write);
  });
  return async () => {
    await Promise.all(writes);
  };
}

/** What `check` compares the ledger against. */
export interface CheckOptions {
  /** The queue checked. */
  queue: string;
  /** Ids of the jobs whose enqueue the producer saw acknowledged. */
  acknowledged: Iterable<string>;
  /**
   * Ids of the jobs that should end dead. When given, a dead job outside this set counts as
   * lost; when omitted, every dead job counts as accounted for.
   */
  expectedDead?: Iterable<string>;
}

/** The checker's figures. Every count is of jobs unless it says runs. */
export interface CheckResult {
  /** Enqueues acknowledged to the producer. */
  acknowledged: number;
  /** Acknowledged jobs archived as completed. */
  completed: number;
  /** Acknowledged jobs archived as dead. */
  dead: number;
  /** Acknowledged jobs still pending or active (after a drain: stuck). */
  stuck: number;
  /** Acknowledged jobs neither completed nor dead as expected (stuck ones included). */
  lost: number;
  /** Jobs whose effect was recorded more than once. */
  duplicated: number;
  /** Jobs seen in the queue or the ledger whose enqueue was never acknowledged. */
  unexpected: number;
  /**
   * Acknowledged completions of a run while a newer run of the same job had already started:
   * a completion under a stale lease that pgq accepted.
   */
  staleCompletionsAccepted: number;
  /** Jobs whose completion was acknowledged yet which are not completed, or ran again after. */
  reverted: number;
  /** Runs that started while another run's lease on the same job still held. */
  overlappingLeases: number;
  /** Jobs that ran more times than their `maxAttempts` allows, or hold a higher attempt count. */
  overMaxAttempts: number;
  /** Runs recorded. */
  runs: number;
  /** Jobs that ran more than once. */
  redelivered: number;
  /** Up to 10 lost ids, to start debugging from. */
  lostIds: string[];
}

/**
 * Compares the ledger and pgq's tables with the acknowledged enqueues of `queue`. Run it after
 * the drain, once every worker has stopped and `recordCompletions`' writes are flushed.
 *
 * @example
 * ```ts
 * const result = await check(pgq, { queue: 'chaos', acknowledged: ids });
 * console.log(formatCheck('kill-9 chaos', result));
 * expect(result.lost).toBe(0);
 * ```
 */
export async function check(pgq: Pgq, options: CheckOptions): Promise<CheckResult> {
  const { queue } = options;
  const acknowledged = [...new Set(options.acknowledged)];
  const expectedDead = options.expectedDead ? [...new Set(options.expectedDead)] : null;
  const runs = pgq.table('ledger_runs');
  const [jobs] = await pgq.query<{
    completed: number;
    dead: number;
    stuck: number;
    lost_ids: string[];
    unexpected: number;
  }>(
    `with acked as (select distinct unnest($2::bigint[]) as id),
     expected as (select unnest($3::bigint[]) as id),
     finished as (
       select a.id, a.state::text as state from ${pgq.table('job_archive')} a
        where a.queue = $1),
     live as (select j.id from ${pgq.table('jobs')} j where j.queue = $1),
     outcome as (
       select acked.id, f.state, l.id is not null as live,
              (f.state = 'completed' or (f.state = 'dead' and ($3::bigint[] is null
                 or acked.id in (select id from expected)))) as accounted
         from acked left join finished f using (id) left join live l using (id))
     select count(*) filter (where state = 'completed')::int as completed,
            count(*) filter (where state = 'dead')::int as dead,
            count(*) filter (where live)::int as stuck,
            coalesce(array_agg(id::text order by id) filter (where not coalesce(accounted, false)),
              '{}') as lost_ids,
            (select count(*)::int from (
               select id from finished union select id from live
               union select job_id from ${runs} where queue = $1
               except select id from acked) as seen) as unexpected
       from outcome`,
    [queue, acknowledged, expectedDead],
  );
  const [ledger] = await pgq.query<{
    duplicated: number;
    stale: number;
    reverted: number;
    overlapping: number;
    over_max: number;
    runs: number;
    redelivered: number;
  }>(
    // An EXISTS under an OR cannot become a semi-join: PostgreSQL runs it as a subplan that
    // scans the `runs` CTE once per row (quadratic: 6 s for 11k runs, 20 s for 23k). So each
    // OR below is split in two: a union of two semi-joins for `reverted`, a sum over disjoint
    // filters for `over_max` (50 ms and 110 ms for the same runs).
    `with runs as (select * from ${runs} where queue = $1),
     limits as (
       select id, attempts, max_attempts from ${pgq.table('job_archive')} where queue = $1
       union all
       select id, attempts, max_attempts from ${pgq.table('jobs')} where queue = $1)
     select
       (select count(*)::int from (
          select job_id from ${pgq.table('ledger_effects')} where queue = $1
           group by job_id having count(*) > 1) as twice) as duplicated,
       (select count(*)::int from runs r where r.acknowledged_at is not null and exists (
          select 1 from runs newer where newer.job_id = r.job_id
             and newer.lease_token <> r.lease_token and newer.started_at > r.started_at
             and newer.started_at <= r.acknowledged_at)) as stale,
       (select count(*)::int from (
          select r.job_id from runs r where r.acknowledged_at is not null and not exists (
             select 1 from ${pgq.table('job_archive')} a
              where a.queue = $1 and a.id = r.job_id and a.state = 'completed')
          union
          select r.job_id from runs r where r.acknowledged_at is not null and exists (
             select 1 from runs later where later.job_id = r.job_id
                and later.started_at > r.acknowledged_at)) as reverted_jobs) as reverted,
       (select count(*)::int from runs b where exists (
          select 1 from runs a where a.job_id = b.job_id and a.lease_token <> b.lease_token
             and a.started_at <= b.started_at
             and b.started_at < least(a.lease_expires_at, a.finished_at))) as overlapping,
       (select count(*)::int from limits l where l.attempts > l.max_attempts)
       + (select count(*)::int from limits l where l.attempts <= l.max_attempts and exists (
          select 1 from runs r where r.job_id = l.id and r.attempt > l.max_attempts)) as over_max,
       (select count(*)::int from runs) as runs,
       (select count(*)::int from (
          select job_id from runs group by job_id having count(*) > 1) as again) as redelivered`,
    [queue],
  );
  return {
    acknowledged: acknowledged.length,
    completed: jobs!.completed,
    dead: jobs!.dead,
    stuck: jobs!.stuck,
    lost: jobs!.lost_ids.length,
    duplicated: ledger!.duplicated,
    unexpected: jobs!.unexpected,
    staleCompletionsAccepted: ledger!.stale,
    reverted: ledger!.reverted,
    overlappingLeases: ledger!.overlapping,
    overMaxAttempts: ledger!.over_max,
    runs: ledger!.runs,
    redelivered: ledger!.redelivered,
    lostIds: jobs!.lost_ids.slice(0, 10),
  };
}

// The faults first, then the volumes they are out of.
const figureOrder = [
  'lost',
  'duplicated',
  'unexpected',
  'staleCompletionsAccepted',
  'overlappingLeases',
  'reverted',
  'overMaxAttempts',
  'stuck',
  'acknowledged',
  'completed',
  'dead',
  'runs',
  'redelivered',
] as const satisfies ReadonlyArray<keyof CheckResult>;

/**
 * The one line a test prints: `[reliability] <name>: lost=0 duplicated=3 …`, the checker's
 * counts first, then the `extra` figures in the order given.
 *
 * @example
 * ```ts
 * console.log(formatCheck('kill-9 chaos', result, { kills: 12, recoveryP99Ms: 1_480 }));
 * ```
 */
export function formatCheck(
  name: string,
  result: CheckResult,
  extra: Record<string, number | string> = {},
): string {
  const figures = [
    ...figureOrder.map((key) => `${key}=${result[key]}`),
    ...Object.entries(extra).map(([key, value]) => `${key}=${value}`),
  ];
  if (result.lostIds.length > 0) figures.push(`lostIds=${result.lostIds.join(',')}`);
  return `[reliability] ${name}: ${figures.join(' ')}`;
}
