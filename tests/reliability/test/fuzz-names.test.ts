// Issue 12, test 15 (names): queue, channel, cache namespace and schema names full of quotes,
// dollar quotes, format() directives, newlines, NUL, lone surrogates and multibyte characters
// around the 63-byte identifier limit. Each must be refused with InvalidNameError or get a
// place of its own, distinct from every other name; never run a statement of its own, never
// leave half a write behind. Keys (cache keys, unique keys) are in fuzz-keys.test.ts.
import { randomBytes } from 'node:crypto';
import { Cache } from '@pgq/cache';
import { connect, InvalidNameError, PgqError, quoteIdentifier, sqlStateOf } from '@pgq/core';
import { migrate, uninstall } from '@pgq/migrate';
import { PubSub, type Subscription } from '@pgq/pubsub';
import { Queue, Worker } from '@pgq/queue';
import type { TestDatabase } from '@pgq/testing';
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { attempt, fuzzSeed, rejection } from '../src/fuzz.js';
import { hostileString, nearIdentifierLimit, trickyValidName } from '../src/hostile-strings.js';
import { schemaSnapshot } from '../src/schema-snapshot.js';
import { useFigures, useTestDatabase } from '../src/suite.js';

const marker = `pgq_fuzz_${randomBytes(3).toString('hex')}`;
const anyName = fc.oneof(hostileString(marker), trickyValidName());

const db = useTestDatabase({ beforeDispose: dropMarkedSchemas });
const figures = useFigures('fuzz names', { seed: fuzzSeed });

/** Drops the schemas this run installed into, left behind if a test failed half-way. */
async function dropMarkedSchemas({ pgq }: TestDatabase): Promise<void> {
  const { rows } = await pgq.pool.query<{ schema: string }>(
    'select nspname as schema from pg_namespace where starts_with(nspname, $1)',
    [marker],
  );
  for (const { schema } of rows) {
    await pgq.pool.query(`drop schema if exists ${quoteIdentifier(schema)} cascade`);
  }
}

function expectInvalidName(error: unknown, kind: string): void {
  expect(PgqError.isInstance(error)).toBe(true);
  expect(error).toBeInstanceOf(InvalidNameError);
  expect((error as InvalidNameError).code).toBe('PGQ_INVALID_NAME');
  expect((error as InvalidNameError).kind).toBe(kind);
}

it('queue names are refused, or each gets a queue (and a partition) of its own', async () => {
  const jobOf = new Map<string, string>();
  let refused = 0;
  let partitionRelations: number | undefined;
  await fc.assert(
    fc.asyncProperty(anyName, async (name) => {
      const before = await schemaSnapshot(db.pgq, marker);
      const made = attempt(() => new Queue(db.pgq, name));
      // The SQL function is a second gate (queues can be created from SQL): it must agree.
      const sqlError = await rejection(
        db.pgq.query(`select ${db.pgq.quotedSchema}.create_queue($1)`, [name]),
      );
      if ('error' in made) {
        refused++;
        expectInvalidName(made.error, 'queue');
        expect(() => new Worker(db.pgq, name, async () => {})).toThrow(InvalidNameError);
        // 22023: the function's own check; 22021: NUL cannot even be sent as text.
        expect(['22023', '22021']).toContain(sqlStateOf(sqlError));
        expect(await schemaSnapshot(db.pgq, marker)).toEqual(before);
        return;
      }
      expect(sqlError).toBeUndefined();
      if (jobOf.has(name)) return;
      const queue = made.value;
      expect(await queue.create()).toBe(false); // the SQL call above created it
      const { id } = await queue.enqueue({ name });
      jobOf.set(name, id);
      const after = await schemaSnapshot(db.pgq, marker);
      expect(after.queues).toBe(before.queues + 1);
      expect(after.jobs).toBe(before.jobs + 1);
      expect(after.marked).toBe(0);
      // Every queue adds the same objects: its partition and that partition's indexes.
      partitionRelations ??= after.relations - before.relations;
      expect(after.relations - before.relations).toBe(partitionRelations);
    }),
    {
      numRuns: 100,
      seed: fuzzSeed,
      examples: [[''], ['a'.repeat(64)], [`${'a'.repeat(62)}é`], ['"x"']],
    },
  );
  // Distinct: each queue hands out exactly its own job, and nothing else.
  for (const [name, id] of jobOf) {
    const queue = new Queue<{ name: string }>(db.pgq, name);
    const job = await queue.dequeue();
    expect({ id: job?.id, payload: job?.payload }).toEqual({ id, payload: { name } });
    await queue.complete(job!);
    expect(await queue.dequeue()).toBeNull();
  }
  const [partitions] = await db.pgq.query<{ count: number }>(
    `select count(*)::int as count from pg_inherits where inhparent = $1::regclass`,
    [`${db.pgq.quotedSchema}.jobs`],
  );
  expect(partitions!.count).toBe(jobOf.size);
  figures.queues = `${jobOf.size}accepted/${refused}refused`;
}, 60_000);

it('channel names are refused, or each delivers only its own messages', async () => {
  const bus = new PubSub(db.pgq);
  let accepted = 0;
  let refused = 0;
  // Pairs of arbitrary names, and of near twins: case, the last character, the 63-byte edge.
  const twin = trickyValidName().chain((name) =>
    fc.tuple(
      fc.constant(name),
      fc.constantFrom(
        name.toUpperCase(),
        name.toLowerCase(),
        `${name.slice(0, -1)}_`,
        `${name}x`,
        name.slice(0, 63),
      ),
    ),
  );
  try {
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.tuple(anyName, anyName), twin), async ([first, second]) => {
        const before = await schemaSnapshot(db.pgq, marker);
        const subscriptions: Array<Subscription<string>> = [];
        let publishable = 0;
        try {
          for (const name of [first, second]) {
            const published = await rejection(bus.publish(name, 'probe'));
            const subscribed = await rejection(
              bus.subscribe<string>(name).then((subscription) => subscriptions.push(subscription)),
            );
            if (published === undefined) {
              publishable++;
              expect(subscribed).toBeUndefined();
              continue;
            }
            // Not a channel to publish to: as a wildcard pattern it may still be subscribed to.
            expectInvalidName(published, 'channel');
            if (subscribed !== undefined) expectInvalidName(subscribed, 'channel');
          }
          if (publishable < 2 || first === second) {
            refused++;
            return;
          }
          accepted++;
          const [ofFirst, ofSecond] = subscriptions;
          await bus.publish(first, `to ${first}`);
          await bus.publish(second, `to ${second}`);
          // Each subscription's next message is its own: a leak would arrive first.
          expect((await ofFirst!.next({ timeoutMs: 5_000 }))?.payload).toBe(`to ${first}`);
          expect((await ofSecond!.next({ timeoutMs: 5_000 }))?.payload).toBe(`to ${second}`);
          await bus.publish(first, 'fence');
          expect((await ofFirst!.next({ timeoutMs: 5_000 }))?.payload).toBe('fence');
        } finally {
          await Promise.all(subscriptions.map((subscription) => subscription.unsubscribe()));
        }
        expect(await schemaSnapshot(db.pgq, marker)).toEqual(before);
      }),
      { numRuns: 100, seed: fuzzSeed },
    );
  } finally {
    await bus.close();
  }
  figures.channels = `${accepted}pairs/${refused}withRefusal`;
}, 60_000);

it('cache namespaces are refused, or each keeps its own entries', async () => {
  const namespaces = new Set<string>();
  let refused = 0;
  await fc.assert(
    fc.asyncProperty(anyName, async (namespace) => {
      const before = await schemaSnapshot(db.pgq, marker);
      const made = attempt(() => new Cache(db.pgq, { namespace }));
      if ('error' in made) {
        refused++;
        expectInvalidName(made.error, 'namespace');
        expect(await schemaSnapshot(db.pgq, marker)).toEqual(before);
        return;
      }
      namespaces.add(namespace);
      await made.value.set('owner', namespace);
      expect((await schemaSnapshot(db.pgq, marker)).marked).toBe(0);
    }),
    { numRuns: 100, seed: fuzzSeed },
  );
  for (const namespace of namespaces) {
    expect(await new Cache(db.pgq, { namespace }).get('owner')).toBe(namespace);
  }
  const [stored] = await db.pgq.query<{ count: number }>(
    `select count(distinct namespace)::int as count from ${db.pgq.table('cache_entries')}`,
  );
  expect(stored!.count).toBe(namespaces.size);
  figures.namespaces = `${namespaces.size}accepted/${refused}refused`;
}, 60_000);

it('schema names are refused, or db.pgq installs into exactly that schema and nothing else', async () => {
  const ownSchema = fc
    .stringMatching(/^[a-z0-9_]{0,60}$/)
    .map((suffix) => `${marker}_${suffix}`.slice(0, 63 + (suffix.length % 2)));
  let installed = 0;
  let refused = 0;
  await fc.assert(
    fc.asyncProperty(fc.oneof(hostileString(marker), ownSchema), async (schema) => {
      const made = attempt(() => connect({ connectionString: db.url, schema }));
      if ('error' in made) {
        refused++;
        expectInvalidName(made.error, 'schema');
        return;
      }
      const other = made.value;
      try {
        // Only schemas of this run are installed into: a fuzzed `public` stays untouched.
        if (!schema.startsWith(marker)) return;
        await migrate(other);
        installed++;
        const [placed] = await other.query<{ migrations: number; channel: string }>(
          `select (select count(*) from pg_class
                    where relname = 'migrations' and relnamespace = to_regnamespace($1))::int
                    as migrations,
                  ${other.quotedSchema}.channel($1, 'jobs') as channel`,
          [schema],
        );
        // Installed under the name as given: a truncated name would not be found here.
        expect(placed!.migrations).toBe(1);
        // The SQL trigger and the listener name the same NOTIFY channel, hashed past 63 bytes.
        expect(placed!.channel).toBe(other.channel('jobs'));
        await uninstall(other);
        const [gone] = await other.query<{ count: number }>(
          'select count(*)::int as count from pg_namespace where nspname = $1',
          [schema],
        );
        expect(gone!.count).toBe(0);
      } finally {
        await other.close();
      }
    }),
    { numRuns: 30, seed: fuzzSeed, examples: [[`${marker}_${'x'.repeat(63)}`.slice(0, 64)], ['']] },
  );
  figures.schemas = `${installed}installed/${refused}refused`;
}, 60_000);

it('a reserved pg_ schema name is refused with a PgqError and leaves nothing behind', async () => {
  const schema = `pg_${marker}`;
  const made = attempt(() => connect({ connectionString: db.url, schema }));
  if ('error' in made) {
    expectInvalidName(made.error, 'schema');
    return;
  }
  try {
    const error = await rejection(migrate(made.value));
    expect(PgqError.isInstance(error)).toBe(true);
    const [left] = await db.pgq.query<{ count: number }>(
      'select count(*)::int as count from pg_namespace where nspname = $1',
      [schema],
    );
    expect(left!.count).toBe(0);
  } finally {
    await made.value.close();
  }
});

it('at the 63-byte channel edge, new jobs wake workers and waitFor hears completions', async () => {
  // `<schema>.jobs` is 62, 63, 64 and 68 bytes: the last two are hashed, by SQL and by Node.
  const pickups: number[] = [];
  for (const length of [57, 58, 59, 63]) {
    const schema = `${marker}_${'w'.repeat(length - marker.length - 1)}`;
    const other = connect({ connectionString: db.url, schema });
    const queueName = `q${'z'.repeat(62)}`;
    const worker = new Worker(other, queueName, async () => 'done', { pollIntervalMs: 60_000 });
    try {
      await migrate(other);
      const queue = new Queue(other, queueName);
      await queue.create();
      await worker.start();
      const started = Date.now();
      const { id } = await queue.enqueue({});
      // No poll for a minute: only the NOTIFYs can make this finish in time.
      expect(await queue.waitFor(id, { timeoutMs: 10_000 })).toBe('done');
      pickups.push(Date.now() - started);
    } finally {
      await worker.stop();
      await other.pool.query(`drop schema if exists ${other.quotedSchema} cascade`);
      await other.close();
    }
  }
  figures.edgePickupMs = pickups.join(',');
  expect(pickups.every((ms) => ms < 10_000)).toBe(true);
}, 60_000);

it('names near the identifier limit are refused or used whole, never truncated into another', () => {
  fc.assert(
    fc.property(nearIdentifierLimit(), (name) => {
      const made = attempt(() => new Queue(db.pgq, name));
      if ('error' in made) return;
      expect(made.value.name).toBe(name);
      expect(Buffer.byteLength(name)).toBeLessThanOrEqual(63);
    }),
    { numRuns: 200, seed: fuzzSeed },
  );
});
