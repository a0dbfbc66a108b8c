// Issue 12, test 15 (keys): cache keys and job unique keys are data, sent as parameters, so
// any string may be one, refused only when it cannot be stored. Two different keys must never
// name the same entry or the same job, and a refused key must leave nothing written.
import { randomBytes } from 'node:crypto';
import { Cache } from '@pgq/cache';
import { PgqError } from '@pgq/core';
import { Queue } from '@pgq/queue';
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { fuzzSeed, rejection } from '../src/fuzz.js';
import { hostileString } from '../src/hostile-strings.js';
import { schemaSnapshot } from '../src/schema-snapshot.js';
import { useFigures, useTestDatabase } from '../src/suite.js';

const marker = `pgq_fuzz_${randomBytes(3).toString('hex')}`;

const anyKey = fc.oneof(
  hostileString(marker),
  fc.string({ unit: 'binary', maxLength: 8 }),
  // Around the 2048-byte key limit, with a multibyte character on the edge.
  fc
    .tuple(fc.integer({ min: 2040, max: 2050 }), fc.constantFrom('a', 'é', '😀'))
    .map(([bytes, unit]) => unit.repeat(Math.floor(bytes / Buffer.byteLength(unit)))),
);

const db = useTestDatabase();
const figures = useFigures('fuzz keys', { seed: fuzzSeed });

it('cache keys are refused, or two different keys never share an entry', async () => {
  const cache = new Cache(db.pgq, { namespace: 'keys' });
  let pairs = 0;
  let refused = 0;
  await fc.assert(
    fc.asyncProperty(anyKey, anyKey, async (first, second) => {
      await cache.clear();
      const before = await schemaSnapshot(db.pgq, marker);
      const firstSet = await rejection(cache.set(first, 'first'));
      const secondSet = await rejection(cache.set(second, 'second'));
      for (const error of [firstSet, secondSet].filter((error) => error !== undefined)) {
        expect(PgqError.hasCode(error, 'PGQ_VALIDATION'), String(error)).toBe(true);
      }
      const written = [firstSet, secondSet].filter((error) => error === undefined).length;
      const after = await schemaSnapshot(db.pgq, marker);
      expect(after.cache_entries - before.cache_entries, 'entries for the keys written').toBe(
        first === second ? Math.min(written, 1) : written,
      );
      expect(after.marked).toBe(0);
      if (firstSet !== undefined || secondSet !== undefined) {
        refused++;
        return;
      }
      pairs++;
      expect(await cache.get(first)).toBe(first === second ? 'second' : 'first');
      expect(await cache.get(second)).toBe('second');
      const many = await cache.getMany([first, second]);
      expect([...many.keys()].sort()).toEqual([...new Set([first, second])].sort());
    }),
    // Two lone surrogates: distinct JavaScript strings, and both not UTF-8.
    {
      numRuns: 120,
      seed: fuzzSeed,
      examples: [
        ['\ud800', '\udbff'],
        ['\ud800', '\ufffd'],
      ],
    },
  );
  figures.keys = `${pairs}pairs/${refused}refused`;
}, 60_000);

it('unique keys are refused, or two different keys never stand for the same job', async () => {
  const queue = new Queue(db.pgq, 'unique_keys');
  await queue.create();
  let pairs = 0;
  let refused = 0;
  await fc.assert(
    fc.asyncProperty(anyKey, anyKey, async (first, second) => {
      await queue.purge();
      const before = await schemaSnapshot(db.pgq, marker);
      const outcomes = [];
      for (const uniqueKey of [first, second]) {
        try {
          outcomes.push(await queue.enqueue({}, { uniqueKey }));
        } catch (error) {
          expect(PgqError.hasCode(error, 'PGQ_VALIDATION'), String(error)).toBe(true);
        }
      }
      const after = await schemaSnapshot(db.pgq, marker);
      expect(after.jobs - before.jobs, 'jobs for the keys enqueued').toBe(
        first === second ? Math.min(outcomes.length, 1) : outcomes.length,
      );
      if (outcomes.length < 2) {
        refused++;
        return;
      }
      pairs++;
      expect(outcomes[1]!.deduplicated).toBe(first === second);
    }),
    { numRuns: 100, seed: fuzzSeed, examples: [['\ud800', '\udbff']] },
  );
  figures.uniqueKeys = `${pairs}pairs/${refused}withRefusal`;
}, 60_000);

it('a key too long to index is refused with ValidationError, and nothing is written', async () => {
  // Incompressible: PostgreSQL stores an index entry of at most 2704 bytes.
  const long = randomBytes(1_600).toString('hex');
  const before = await schemaSnapshot(db.pgq, marker);
  const queue = new Queue(db.pgq, 'long_keys');
  await queue.create();
  const errors = {
    cacheKey: await rejection(new Cache(db.pgq, { namespace: 'long_keys' }).set(long, 1)),
    uniqueKey: await rejection(queue.enqueue({}, { uniqueKey: long })),
  };
  const codes = Object.fromEntries(
    Object.entries(errors).map(([name, error]) => [
      name,
      PgqError.isInstance(error) ? error.code : `not a PgqError: ${String(error)}`,
    ]),
  );
  expect(codes).toEqual({ cacheKey: 'PGQ_VALIDATION', uniqueKey: 'PGQ_VALIDATION' });
  const after = await schemaSnapshot(db.pgq, marker);
  expect({ jobs: after.jobs, entries: after.cache_entries }).toEqual({
    jobs: before.jobs,
    entries: before.cache_entries,
  });
});
