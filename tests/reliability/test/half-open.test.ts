// Issue 12, test 7: a half-open LISTEN connection. A proxy stops forwarding the listener's
// socket without closing it (no FIN, no RST, keepalives still answered by the proxy's
// kernel); the listener's own health check must notice, reconnect, and messages flow again.
import { connect, type Logger, type Pgq, silentLogger } from '@pgq/core';
import { PubSub } from '@pgq/pubsub';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { useTestDatabase } from '../src/suite.js';
import { TcpProxy } from '../src/tcp-proxy.js';
import { sleep, waitUntil } from '../src/wait.js';

const healthCheckIntervalMs = 1_000;
const rounds = 3;

const db = useTestDatabase();
let proxy: TcpProxy;
let proxied: Pgq;
const lostAt: number[] = [];

beforeAll(async () => {
  const url = new URL(db.url);
  proxy = await TcpProxy.start({ host: url.hostname, port: Number(url.port || 5432) });
  url.host = `127.0.0.1:${proxy.port}`;
  // The listener logs this warning the moment it gives up on its connection.
  const logger: Logger = {
    ...silentLogger,
    warn: (message) => {
      if (message.startsWith('pgq listener connection lost')) lostAt.push(Date.now());
    },
  };
  proxied = connect({
    connectionString: url.toString(),
    schema: db.schema,
    logger,
    listenerHealthCheckIntervalMs: healthCheckIntervalMs,
  });
});

afterAll(async () => {
  // Black-holed sockets never answer a Terminate: destroy them before closing the clients.
  await proxy?.close();
  await proxied?.close();
});

it('a black-holed LISTEN socket is detected by the health check and messages flow again', async () => {
  const publisher = new PubSub(db.pgq);
  const subscriber = new PubSub(proxied);
  const received = new Set<string>();
  let reconnects = 0;
  subscriber.on('reconnected', () => reconnects++);
  await subscriber.subscribe<string>('half_open.events', (message) => {
    received.add(message.payload);
  });
  const delivered = async (payload: string) => {
    await publisher.publish('half_open.events', payload);
    await waitUntil(() => received.has(payload), {
      timeoutMs: 5_000,
      intervalMs: 10,
      message: `"${payload}" not delivered`,
    });
  };
  try {
    await delivered('before');
    const detectionMs: number[] = [];
    const resumeMs: number[] = [];
    let silenced = 0;
    for (let round = 0; round < rounds; round++) {
      const reconnectsBefore = reconnects;
      // A random phase against the check's timer, so the figures cover the whole range.
      await sleep(Math.random() * healthCheckIntervalMs);
      const blackHoledAt = Date.now();
      silenced += proxy.blackHole();
      // Published into the black hole: lost for this subscriber (pub/sub is at-most-once).
      await publisher.publish('half_open.events', `lost-${round}`);
      await waitUntil(() => lostAt.length === round + 1, {
        timeoutMs: 4 * healthCheckIntervalMs + 5_000,
        intervalMs: 10,
        message: 'the black-holed listener was never declared lost',
      });
      detectionMs.push(lostAt[round]! - blackHoledAt);
      await waitUntil(() => reconnects === reconnectsBefore + 1, {
        timeoutMs: 10_000,
        intervalMs: 10,
        message: 'the listener did not reconnect',
      });
      await delivered(`after-${round}`);
      resumeMs.push(Date.now() - blackHoledAt);
    }
    const lost = [...Array(rounds).keys()].filter((round) => !received.has(`lost-${round}`));
    console.log(
      `[reliability] half-open listener: healthCheckIntervalMs=${healthCheckIntervalMs} rounds=${rounds} socketsBlackHoled=${silenced} detectionMs=${detectionMs.join('/')} resumeMs=${resumeMs.join('/')} messagesLostInBlackHole=${lost.length}`,
    );
    // The listener's socket each round (the pool's idle connections went silent too).
    expect(silenced).toBeGreaterThanOrEqual(rounds);
    for (const ms of detectionMs) {
      // The check runs every interval and waits up to one interval for its answer, so a
      // black hole is noticed between one and two intervals after it opens.
      expect(ms).toBeGreaterThanOrEqual(healthCheckIntervalMs - 50);
      expect(ms).toBeLessThanOrEqual(2 * healthCheckIntervalMs + 500);
    }
    expect(reconnects).toBe(rounds);
  } finally {
    await subscriber.close();
    await publisher.close();
  }
});
