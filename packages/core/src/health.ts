import type { Pgq } from './pgq.js';

/** Options of `health()`. */
export interface HealthOptions {
  /**
   * Warn when a transaction has held the xmin horizon (what VACUUM may clean) for longer
   * than this. Default 60 000 ms.
   */
  maxXminAgeMs?: number;
  /**
   * Warn when the server's NOTIFY queue is fuller than this fraction (0 to 1). PostgreSQL itself
   * logs a warning from half full. Default 0.5.
   */
  maxNotifyQueueUsage?: number;
}

/** Something that keeps VACUUM from removing dead rows: every row deleted after it started stays. */
export interface XminHolder {
  /** A session with an open snapshot or transaction id, a prepared transaction or a replication slot. */
  kind: 'session' | 'prepared_transaction' | 'replication_slot';
  /** The session's process id (`pg_stat_activity.pid`); null for the other kinds. */
  pid: number | null;
  /** The session's `application_name`, the prepared transaction's gid or the slot's name. */
  name: string | null;
  /** The session's state (`idle in transaction`, `active`, ...); for a slot, `active` or `inactive`. */
  state: string | null;
  /** How long its transaction has been open (database clock); null when unknown (slots). */
  ageMs: number | null;
  /** How many transaction ids old its horizon is. */
  xidAge: number;
  /** The session's current or last statement (first 200 characters); null for the other kinds. */
  query: string | null;
}

/** One thing `health()` found worth a look. */
export interface HealthWarning {
  /** Stable: `PGQ_XMIN_HORIZON_HELD`, `PGQ_REPLICATION_SLOT_HOLDS_XMIN` or `PGQ_NOTIFY_QUEUE_FILLING`. */
  code: string;
  message: string;
  /** What holds the horizon; absent for `PGQ_NOTIFY_QUEUE_FILLING` (PostgreSQL does not say which session). */
  holder?: XminHolder;
}

/** Rows of one table in pgq's schema (from `pg_stat_user_tables`, which lags by a second or so). */
export interface TableHealth {
  /** The table's name, e.g. `jobs_1` (a queue's partition of `jobs`). */
  name: string;
  liveTuples: number;
  /** Deleted or updated rows VACUUM has not removed yet: they grow while the horizon is held. */
  deadTuples: number;
  lastAutovacuum: Date | null;
}

/** What `health()` reports. */
export interface HealthReport {
  /** True when there are no warnings. */
  ok: boolean;
  warnings: HealthWarning[];
  /** How long the oldest open transaction holding the horizon has been open; null when none. */
  oldestXminAgeMs: number | null;
  /** Everything holding the horizon in this database, the longest-held (in transaction ids) first. */
  xminHolders: XminHolder[];
  /** The tables of pgq's schema, with their dead rows. */
  tables: TableHealth[];
  /**
   * How full the server's NOTIFY queue is, 0 to 1 (`pg_notification_queue_usage()`). It is
   * trimmed only up to the oldest notification some listening session has not read, and a
   * session reads only between transactions: one that LISTENs and then holds a transaction
   * open (any login may) makes it grow with every NOTIFY on the server. At 1, every
   * transaction that sends a NOTIFY fails at commit (SQLSTATE 54000): enqueues in `{ tx }`
   * and with `durable: false`, RPC calls, pub/sub publishes.
   */
  notifyQueueUsage: number;
}

interface HolderRow {
  kind: XminHolder['kind'];
  pid: number | null;
  name: string | null;
  state: string | null;
  age_ms: number | null;
  xid_age: number;
  query: string | null;
}

// Sessions of this database only: since PostgreSQL 14 a transaction in another database does
// not hold back this one's tables. Autovacuum's own snapshot is ignored by VACUUM, as is
// the session running this statement. A slot's catalog_xmin holds back only the catalogs.
const holdersSql = `
  select 'session' as kind, pid, application_name as name, state,
         (extract(epoch from now() - xact_start) * 1000.0)::float8 as age_ms,
         greatest(age(backend_xmin), age(backend_xid)) as xid_age, left(query, 200) as query
    from pg_stat_activity
   where (backend_xmin is not null or backend_xid is not null)
     and datname = current_database()
     and pid <> pg_backend_pid()
     and backend_type <> 'autovacuum worker'
  union all
  select 'prepared_transaction', null, gid, 'prepared',
         (extract(epoch from now() - prepared) * 1000.0)::float8, age(transaction), null
    from pg_prepared_xacts
   where database = current_database()
  union all
  select 'replication_slot', null, slot_name, case when active then 'active' else 'inactive' end,
         null, age(xmin), null
    from pg_replication_slots
   where xmin is not null
   order by xid_age desc nulls last`;

const tablesSql = `
  select relname as name, n_live_tup::float8 as live, n_dead_tup::float8 as dead, last_autovacuum
    from pg_stat_user_tables
   where schemaname = $1
   order by relname`;

const notifyQueueSql = 'select pg_notification_queue_usage() as usage';

/**
 * Checks what keeps PostgreSQL from cleaning pgq's tables, and how full the NOTIFY queue is.
 * A queue churns rows (every job is inserted, updated and deleted), so a transaction left open
 * elsewhere in the database (a REPEATABLE READ report, an `idle in transaction` session, a
 * forgotten prepared transaction, an inactive replication slot) makes dead rows pile up in the
 * queue's partition and claims slow down until it ends. A session that LISTENs inside an open
 * transaction keeps the server's NOTIFY queue from being trimmed; when it is full, every
 * commit that sends a NOTIFY fails (see `HealthReport.notifyQueueUsage`). Seeing other roles'
 * sessions needs `pg_read_all_stats` (or `pg_monitor`); without it they are not reported.
 *
 * @example
 * ```ts
 * import { health } from '@pgq/core';
 * const report = await health(pgq, { maxXminAgeMs: 60_000, maxNotifyQueueUsage: 0.5 });
 * for (const warning of report.warnings) logger.warn(warning.message, { code: warning.code });
 * ```
 */
export async function health(pgq: Pgq, options: HealthOptions = {}): Promise<HealthReport> {
  const maxXminAgeMs = options.maxXminAgeMs ?? 60_000;
  const maxNotifyQueueUsage = options.maxNotifyQueueUsage ?? 0.5;
  const [holderRows, tableRows, notifyRows] = await Promise.all([
    pgq.query<HolderRow>(holdersSql),
    pgq.query<{ name: string; live: number; dead: number; last_autovacuum: Date | null }>(
      tablesSql,
      [pgq.schema],
    ),
    pgq.query<{ usage: number }>(notifyQueueSql),
  ]);
  const xminHolders = holderRows.map(toHolder);
  const notifyQueueUsage = notifyRows[0]?.usage ?? 0;
  const warnings = [
    ...xminHolders.flatMap((holder) => warningsOf(holder, maxXminAgeMs)),
    ...notifyQueueWarnings(notifyQueueUsage, maxNotifyQueueUsage),
  ];
  const ages = xminHolders.flatMap((holder) => (holder.ageMs === null ? [] : [holder.ageMs]));
  return {
    ok: warnings.length === 0,
    warnings,
    oldestXminAgeMs: ages.length === 0 ? null : Math.max(...ages),
    xminHolders,
    tables: tableRows.map((row) => ({
      name: row.name,
      liveTuples: row.live,
      deadTuples: row.dead,
      lastAutovacuum: row.last_autovacuum,
    })),
    notifyQueueUsage,
  };
}

function notifyQueueWarnings(usage: number, maxUsage: number): HealthWarning[] {
  if (usage <= maxUsage) return [];
  return [
    {
      code: 'PGQ_NOTIFY_QUEUE_FILLING',
      message: `The NOTIFY queue is ${(usage * 100).toFixed(1)}% full: a session that LISTENs holds a transaction open (look for 'idle in transaction' among the xmin holders); when it is full, every commit that sends a NOTIFY fails (enqueues in a transaction, RPC calls, pub/sub)`,
    },
  ];
}

function toHolder(row: HolderRow): XminHolder {
  return {
    kind: row.kind,
    pid: row.pid,
    name: row.name,
    state: row.state,
    ageMs: row.age_ms === null ? null : Math.round(row.age_ms),
    xidAge: row.xid_age,
    query: row.query,
  };
}

function warningsOf(holder: XminHolder, maxXminAgeMs: number): HealthWarning[] {
  if (holder.kind === 'replication_slot') {
    if (holder.state === 'active') return [];
    return [
      {
        code: 'PGQ_REPLICATION_SLOT_HOLDS_XMIN',
        message: `Inactive replication slot "${holder.name}" holds the xmin horizon back by ${holder.xidAge} transactions: dead rows cannot be vacuumed until it is used or dropped`,
        holder,
      },
    ];
  }
  if (holder.ageMs === null || holder.ageMs <= maxXminAgeMs) return [];
  const who =
    holder.kind === 'session'
      ? `Session ${holder.pid} (${holder.state ?? 'unknown state'})`
      : `Prepared transaction "${holder.name}"`;
  return [
    {
      code: 'PGQ_XMIN_HORIZON_HELD',
      message: `${who} has held the xmin horizon for ${Math.round(holder.ageMs / 1000)} s: dead rows in pgq's tables cannot be vacuumed until it ends`,
      holder,
    },
  ];
}
