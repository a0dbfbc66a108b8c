import { getEventListeners } from 'node:events';
import { type Pgq, ValidationError } from '@pgq/core';
import { createTestDatabase, type TestDatabase } from '@pgq/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Cache } from '../src/index.js';

let db: TestDatabase;
let waiterPgq: Pgq;
let holderPgq: Pgq;

beforeAll(async () => {
  db = await createTestDatabase();
  waiterPgq = db.connect();
  holderPgq = db.connect();
});

afterAll(async () => {
  await db.dispose();
});

function gate(): { opened: Promise<void>; open: () => void } {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { opened, open };
}

// Another process's loader, holding the key's lock until `release` opens.
async function holdKey(namespace: string, key: string) {
  const holder = new Cache(holderPgq, { namespace });
  const started = gate();
  const release = gate();
  const filled = holder.getOrSet(key, 60, async () => {
    started.open();
    await release.opened;
    return 'from the holder';
  });
  await started.opened;
  return { release: release.open, filled };
}

describe('getOrSet({ signal })', () => {
  it("waiting on another process's loader: rejects with the reason, stops waiting, loads nothing", async () => {
    const { release, filled } = await holdKey('abort_wait', 'key');
    const cache = new Cache(waiterPgq, { namespace: 'abort_wait', lockTimeoutMs: 20_000 });
    const controller = new AbortController();
    let loaded = false;
    const waiting = cache.getOrSet(
      'key',
      60,
      () => {
        loaded = true;
        return 'from the waiter';
      },
      { signal: controller.signal },
    );
    // The waiter LISTENs for the holder's commit while it waits.
    await expect.poll(() => waiterPgq.listener.channels).toHaveLength(1);
    const reason = new Error('client disconnected');
    controller.abort(reason);
    await expect(waiting).rejects.toBe(reason);
    // The wait ended at once (not after lockTimeoutMs): its LISTEN is gone.
    await expect.poll(() => waiterPgq.listener.channels).toEqual([]);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
    release();
    expect(await filled).toBe('from the holder');
    expect(loaded).toBe(false);
    expect(await cache.get('key')).toBe('from the holder');
  });

  it('an aborted caller leaves a shared flight to the callers still waiting', async () => {
    const { release, filled } = await holdKey('abort_shared', 'key');
    const cache = new Cache(waiterPgq, { namespace: 'abort_shared' });
    const controller = new AbortController();
    const loader = () => 'from the waiter';
    const aborted = cache.getOrSet('key', 60, loader, { signal: controller.signal });
    const patient = cache.getOrSet('key', 60, loader);
    await expect.poll(() => waiterPgq.listener.channels).toHaveLength(1);
    controller.abort(new Error('gone'));
    await expect(aborted).rejects.toThrow('gone');
    expect(waiterPgq.listener.channels).toHaveLength(1);
    release();
    await filled;
    expect(await patient).toBe('from the holder');
  });

  it('with a signal aborted already, rejects at once and calls no loader', async () => {
    const cache = new Cache(waiterPgq, { namespace: 'abort_before' });
    let loaded = false;
    const reason = new Error('too late');
    const loader = () => {
      loaded = true;
      return 1;
    };
    await expect(
      cache.getOrSet('key', 60, loader, { signal: AbortSignal.abort(reason) }),
    ).rejects.toBe(reason);
    expect(loaded).toBe(false);
    expect(await cache.has('key')).toBe(false);
    await expect(cache.getOrSet('key', 60, loader, { signal: {} as AbortSignal })).rejects.toThrow(
      ValidationError,
    );
  });

  it('removes its abort listener when the value comes', async () => {
    const cache = new Cache(waiterPgq, { namespace: 'abort_unused' });
    const controller = new AbortController();
    expect(await cache.getOrSet('key', 60, () => 'value', { signal: controller.signal })).toBe(
      'value',
    );
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });
});

describe('await using', () => {
  it('stops the sweeper as the block exits', async () => {
    let stopped: Cache | undefined;
    {
      await using cache = new Cache(waiterPgq, { namespace: 'dispose' });
      stopped = cache;
      await cache.start();
      expect(cache.running).toBe(true);
    }
    expect(stopped.running).toBe(false);
  });
});
