import { type Pgq, PgqError, sqlStateOf } from '@pgq/core';
import { expect } from 'vitest';

/** How an attack must fail: a PostgreSQL SQLSTATE or a `PgqError` code. */
export type Refusal = { sqlState: string } | { code: string };

/** What became of an attack. */
export interface RefusalOutcome {
  /** It failed the expected way. */
  refused: boolean;
  /** What it failed with (or `resolved`), to read in a failed assertion. */
  error: string;
  /** `look()` read the same after it as before. */
  unchanged: boolean;
}

/**
 * Runs `action` (an attack) and reports whether it was refused as `expected` with nothing
 * written: `look()` (any read of the rows the attack aims at) must read the same after it.
 *
 * @example
 * ```ts
 * const outcome = await attempt(() => worker.query(`update ...`), { sqlState: SqlState.checkViolation }, look);
 * expect(outcome).toMatchObject({ refused: true, unchanged: true });
 * ```
 */
export async function attempt(
  action: () => Promise<unknown>,
  expected: Refusal,
  look: () => Promise<unknown>,
): Promise<RefusalOutcome> {
  const before = JSON.stringify(await look());
  let caught: unknown;
  let resolved = false;
  try {
    await action();
    resolved = true;
  } catch (error) {
    caught = error;
  }
  const refused =
    !resolved &&
    ('sqlState' in expected
      ? sqlStateOf(caught) === expected.sqlState
      : PgqError.hasCode(caught, expected.code));
  return {
    refused,
    error: resolved ? 'resolved' : String((caught as Error)?.message ?? caught),
    unchanged: JSON.stringify(await look()) === before,
  };
}

/**
 * Every row of `jobs`, `job_archive` and `workers` (read as the owner): what an attack on the
 * queue tables could change. Not the id sequence: a refused insert may have drawn an id.
 *
 * @example
 * ```ts
 * await attempt(attack, { sqlState: SqlState.insufficientPrivilege }, () => queueTables(db.pgq));
 * ```
 */
export async function queueTables(admin: Pgq): Promise<unknown> {
  const [rows] = await admin.query(
    `select (select jsonb_agg(j order by queue, id) from ${admin.table('jobs')} j) as jobs,
            (select jsonb_agg(a order by queue, id) from ${admin.table('job_archive')} a) as archive,
            (select jsonb_agg(w order by id) from ${admin.table('workers')} w) as workers`,
  );
  return rows;
}

/**
 * Runs every attack in turn (`attempt`), records `passed/total` under `figure` and asserts
 * each was refused with `look()` unchanged; a failure names the attacks that got through.
 *
 * @example
 * ```ts
 * await expectAllRefused(figures, 'refused', { infinity: [attack, { sqlState: SqlState.checkViolation }] }, look);
 * ```
 */
export async function expectAllRefused(
  figures: Record<string, string | number>,
  figure: string,
  attacks: Record<string, [() => Promise<unknown>, Refusal]>,
  look: () => Promise<unknown>,
): Promise<void> {
  const outcomes: Record<string, RefusalOutcome> = {};
  for (const [name, [action, expected]] of Object.entries(attacks)) {
    outcomes[name] = await attempt(action, expected, look);
  }
  const held = Object.values(outcomes).filter((outcome) => outcome.refused && outcome.unchanged);
  figures[figure] = `${held.length}/${Object.keys(attacks).length}`;
  const refused = { refused: true, error: expect.any(String), unchanged: true };
  expect(outcomes).toEqual(Object.fromEntries(Object.keys(attacks).map((name) => [name, refused])));
}
