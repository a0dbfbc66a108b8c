// Issue 12, test 15 (payloads): values with `__proto__` and `constructor.prototype` keys travel
// through the queue (enqueue → worker, and get), pub/sub and the cache without
// touching Object.prototype, here and in a child process under --disable-proto=delete. Deeply
// nested, 16 MB, NUL and lone-surrogate values either round-trip exactly or are refused with a
// clear PgqError; a refused write leaves no row behind.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Cache } from '@pgq/cache';
import { PgqError } from '@pgq/core';
import { PubSub, type Subscription } from '@pgq/pubsub';
import { Queue, Worker } from '@pgq/queue';
import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { fuzzSeed, rejection } from '../src/fuzz.js';
import {
  hostileJson,
  jsonDifference,
  objectFromEntries,
  pollutionPayloads,
} from '../src/hostile-json.js';
import { prototypeChanges, prototypeSnapshot } from '../src/prototype-guard.js';
import { schemaSnapshot } from '../src/schema-snapshot.js';
import { useFigures, useTestDatabase } from '../src/suite.js';

const marker = 'pgq_fuzz_payload';
const clearCodes = ['PGQ_VALIDATION', 'PGQ_PAYLOAD_TOO_LARGE'];
const sixteenMiB = 16 * 1_048_576;

const db = useTestDatabase();
const figures = useFigures('fuzz payloads', { seed: fuzzSeed });
let queue: Queue;
let worker: Worker;
let bus: PubSub;
let inbox: Subscription;
let cache: Cache;
const prototypes = prototypeSnapshot();
// What the worker's handler was given, by job id.
const handled = new Map<string, unknown>();

beforeAll(async () => {
  queue = new Queue(db.pgq, 'payloads');
  await queue.create({ maxAttempts: 1 });
  worker = new Worker(
    db.pgq,
    queue,
    async (job) => {
      handled.set(job.id, job.payload);
    },
    { concurrency: 4 },
  );
  await worker.start();
  bus = new PubSub(db.pgq, { maxPayloadBytes: 32 * 1_048_576 });
  inbox = await bus.subscribe('fuzz.payloads');
  cache = new Cache(db.pgq, { namespace: 'payloads' });
});

afterAll(async () => {
  await worker?.stop();
  await bus?.close();
});

type Outcome = { refused: true } | { refused: false; received: unknown[] };

/** Enqueues `payload` and lets the worker run it; returns what get() and the handler saw. */
async function throughQueue(payload: unknown): Promise<Outcome> {
  const enqueued = await writtenOrRefused(() => queue.enqueue(payload));
  if (!enqueued) return { refused: true };
  const { id } = enqueued.value;
  const stored = await queue.get(id);
  await queue.waitFor(id, { timeoutMs: 15_000 });
  const seen = handled.get(id);
  handled.delete(id);
  return { refused: false, received: [stored?.payload, seen] };
}

/** Publishes `payload` to the test's own subscription; returns what arrived. */
async function throughPubSub(payload: unknown): Promise<Outcome> {
  if (!(await writtenOrRefused(() => bus.publish('fuzz.payloads', payload)))) {
    return { refused: true };
  }
  const message = await inbox.next({ timeoutMs: 10_000 });
  expect(message).not.toBeNull();
  return { refused: false, received: [message!.payload] };
}

/** Stores `payload` in the cache and reads it back (alone and through getMany). */
async function throughCache(payload: unknown): Promise<Outcome> {
  await cache.delete('value');
  if (!(await writtenOrRefused(() => cache.set('value', payload)))) return { refused: true };
  const many = await cache.getMany(['value']);
  return { refused: false, received: [await cache.get('value'), many.get('value')] };
}

const paths = { queue: throughQueue, pubsub: throughPubSub, cache: throughCache };

/** Runs `write`; when it is refused, asserts a clear error and no row written: undefined. */
async function writtenOrRefused<T>(write: () => Promise<T>): Promise<{ value: T } | undefined> {
  const before = await schemaSnapshot(db.pgq, marker);
  try {
    return { value: await write() };
  } catch (error) {
    expectClearError(error);
    expect(await schemaSnapshot(db.pgq, marker)).toEqual(before);
    return undefined;
  }
}

function expectClearError(error: unknown): void {
  expect(
    PgqError.isInstance(error) && clearCodes.includes(error.code),
    `expected ValidationError or PayloadTooLargeError, got ${String(error)}`,
  ).toBe(true);
}

/** Every copy that came back is the payload, exactly (as JSON: key order aside). */
function expectExact(payload: unknown, outcome: Outcome): void {
  if (outcome.refused) return;
  for (const received of outcome.received) {
    const difference = jsonDifference(payload, received);
    expect(difference, `${preview(payload)} came back as ${preview(received)}`).toBeUndefined();
  }
}

// A short, escaped rendering for failure messages (lone surrogates show as \udXXX).
function preview(value: unknown): string {
  try {
    return (JSON.stringify(value) ?? String(value)).slice(0, 120);
  } catch {
    return `<${typeof value} too deep to show>`;
  }
}

function tally(name: string, outcome: Outcome): void {
  const [accepted = 0, refused = 0] = String(figures[name] ?? '0/0')
    .split('/')
    .map(Number);
  figures[name] = outcome.refused ? `${accepted}/${refused + 1}` : `${accepted + 1}/${refused}`;
}

it('prototype-polluting payloads round-trip through queue, pub/sub and cache, polluting nothing', async () => {
  for (const payload of pollutionPayloads()) {
    for (const [name, path] of Object.entries(paths)) {
      const outcome = await path(payload);
      expect(outcome.refused).toBe(false);
      expectExact(payload, outcome);
      // An own __proto__ key stays an own key on the way back.
      if (Object.hasOwn(payload as object, '__proto__') && !outcome.refused) {
        for (const received of outcome.received) {
          expect(Object.hasOwn(received as object, '__proto__'), name).toBe(true);
        }
      }
    }
  }
  await fc.assert(
    fc.asyncProperty(
      hostileJson(),
      fc.constantFrom(...Object.keys(paths)),
      async (payload, name) => {
        const outcome = await paths[name as keyof typeof paths](payload);
        tally(`${name}Json`, outcome);
        expectExact(payload, outcome);
        expect(prototypeChanges(prototypes)).toEqual([]);
      },
    ),
    { numRuns: 150, seed: fuzzSeed },
  );
  expect(prototypeChanges(prototypes)).toEqual([]);
}, 60_000);

it('the same payloads pollute nothing under node --disable-proto=delete', async () => {
  const script = fileURLToPath(new URL('../fixtures/prototype-pollution.ts', import.meta.url));
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--disable-proto=delete', '--import', 'tsx', '--conditions=@pgq/source', script],
    {
      cwd: fileURLToPath(new URL('../../..', import.meta.url)),
      env: {
        ...process.env,
        DATABASE_URL: db.url,
        PGQ_SCHEMA: db.schema,
        FUZZ_SEED: String(fuzzSeed),
      },
      timeout: 60_000,
    },
  );
  const line = stdout.split('\n').find((text) => text.startsWith('result '));
  const result = JSON.parse(line!.slice('result '.length)) as {
    protoDisabled: boolean;
    checked: number;
    mismatches: string[];
    polluted: string[];
  };
  figures.childChecked = result.checked;
  expect(result.protoDisabled).toBe(true);
  expect(result.mismatches).toEqual([]);
  expect(result.polluted).toEqual([]);
  expect(result.checked).toBeGreaterThan(50);
}, 60_000);

const awkwardText = fc.oneof(
  hostileJson('binary'),
  fc.string({ unit: 'binary', maxLength: 12 }),
  fc.constantFrom('\u0000', '\ud800', '\udfff', 'a\udc00b', '\ud83d', { '\ud800': 1 }),
);

// Lone surrogates are not UTF-8: PostgreSQL cannot store one in jsonb, and Node's UTF-8
// encoder turns one into U+FFFD when it sends text. These examples are what the properties
// below found first.
const awkwardExamples: Record<keyof typeof paths, unknown> = {
  queue: { text: '\ud800' },
  pubsub: '\ud800',
  cache: { '\udc00': '\ud800' },
};

for (const name of Object.keys(paths) as Array<keyof typeof paths>) {
  it(`${name}: NUL and lone surrogates round-trip exactly or get a clear error`, async () => {
    await fc.assert(
      fc.asyncProperty(awkwardText, async (payload) => {
        const outcome = await paths[name](payload);
        tally(`${name}Text`, outcome);
        expectExact(payload, outcome);
      }),
      { numRuns: 60, seed: fuzzSeed, examples: [[awkwardExamples[name]]] },
    );
  }, 60_000);
}

it('deeply nested payloads round-trip exactly or get a ValidationError', async () => {
  const nested = fc
    .tuple(fc.integer({ min: 1, max: 6_000 }), fc.boolean())
    .map(([depth, asObject]) => {
      let value: unknown = 'bottom';
      for (let level = 0; level < depth; level++) {
        value = asObject ? objectFromEntries([['__proto__', value]]) : [value];
      }
      return value;
    });
  await fc.assert(
    fc.asyncProperty(nested, fc.constantFrom(...Object.keys(paths)), async (payload, name) => {
      const outcome = await paths[name as keyof typeof paths](payload);
      tally(`${name}Deep`, outcome);
      expectExact(payload, outcome);
    }),
    { numRuns: 45, seed: fuzzSeed, examples: [[[[[['bottom']]]], 'queue']] },
  );
  expect(prototypeChanges(prototypes)).toEqual([]);
}, 60_000);

it('16 MB payloads round-trip exactly or get PayloadTooLargeError, leaving nothing behind', async () => {
  // Multibyte on purpose: 16 MiB of UTF-8 in fewer UTF-16 units, so bytes and length differ.
  const big = { text: 'aé😀'.repeat(Math.ceil(sixteenMiB / 7)) };
  const outcomes: string[] = [];
  for (const [name, path] of Object.entries(paths)) {
    const outcome = await path(big);
    outcomes.push(`${name}:${outcome.refused ? 'refused' : 'exact'}`);
    expectExact(big, outcome);
  }
  // The default limit of pub/sub is 1 MiB: refused there, with its code, before anything is sent.
  const strict = new PubSub(db.pgq);
  const before = await schemaSnapshot(db.pgq, marker);
  const error = await rejection(strict.publish('fuzz.payloads', big));
  expect(PgqError.hasCode(error, 'PGQ_PAYLOAD_TOO_LARGE')).toBe(true);
  expect(await schemaSnapshot(db.pgq, marker)).toEqual(before);
  await strict.close();
  outcomes.push('pubsubDefault:refused');
  figures.big = outcomes.join(',');
}, 60_000);

it('a batch with one bad payload writes nothing at all', async () => {
  const cycle: Record<string, unknown> = {};
  cycle.self = cycle;
  const bad = fc.constantFrom<unknown>(
    cycle,
    { big: 1n },
    { call: () => {} },
    { number: Number.NaN },
    [undefined],
  );
  await fc.assert(
    fc.asyncProperty(
      fc.array(hostileJson(), { maxLength: 6 }),
      bad,
      fc.nat(),
      async (good, poison, at) => {
        const items = [...good];
        items.splice(at % (items.length + 1), 0, poison);
        const before = await schemaSnapshot(db.pgq, marker);
        expectClearError(await rejection(queue.enqueueMany(items)));
        const entries = items.map((item, index) => [`k${index}`, item] as const);
        expectClearError(await rejection(cache.setMany(entries)));
        expect(await schemaSnapshot(db.pgq, marker)).toEqual(before);
      },
    ),
    { numRuns: 60, seed: fuzzSeed },
  );
}, 60_000);
