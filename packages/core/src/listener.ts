import { EventEmitter } from 'node:events';
import { DeliveryProbe } from './delivery-probe.js';
import { ClosedError } from './errors/closed-error.js';
import { PgqError } from './errors/pgq-error.js';
import { reportError } from './lifecycle/report-error.js';
import { WakeLoop } from './lifecycle/wake-loop.js';
import type { Logger } from './logger.js';
import { quoteIdentifier } from './names.js';
import { withTimeout } from './with-timeout.js';

/** The part of a `pg.Client` the listener uses. */
export interface ListenerClient {
  /** The server process id of the connection (`pg.Client` sets it once connected). */
  readonly processID?: number | null;
  query(text: string): Promise<{ rows: unknown[] }>;
  end(): Promise<void>;
  on(
    event: 'notification',
    listener: (message: { channel: string; payload?: string }) => void,
  ): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
  on(event: 'end', listener: () => void): unknown;
}

/** Options of the shared `Listener`. */
export interface ListenerOptions {
  /** Opens a fresh, connected client that is not part of any pool. */
  connect: () => Promise<ListenerClient>;
  logger: Logger;
  /**
   * How often the listener checks its own session with `pg_listening_channels()`, so a
   * half-open socket or a lost LISTEN is noticed rather than trusted. Default 5000 ms.
   */
  healthCheckIntervalMs?: number;
  /** First reconnect delay; doubles per failed attempt up to `reconnectMaxDelayMs`. Default 100. */
  reconnectMinDelayMs?: number;
  /** Longest reconnect delay. Default 5000. */
  reconnectMaxDelayMs?: number;
  /**
   * Sends a NOTIFY from another connection (e.g. the pool). When given, the first connection
   * checks that a notification reaches it: through a transaction-mode pooler (PgBouncer) it
   * never does, and the listener then falls back to polling. Default: no check.
   */
  notify?: (channel: string, payload: string) => Promise<void>;
  /** How long that check waits for its notification. Default 3000 ms. */
  probeTimeoutMs?: number;
  /**
   * When LISTEN is unavailable: how often `reconnected` is emitted, so that everyone using
   * the listener catches up by querying. Default 1000 ms.
   */
  pollIntervalMs?: number;
}

/** Called with each notification's payload on a channel. */
export type NotificationHandler = (payload: string, channel: string) => void | Promise<void>;

interface ListenerEvents {
  /**
   * Notifications may have been missed: the connection dropped and is back, LISTENing again;
   * or, when LISTEN is unavailable (`polling`), another poll interval passed. Catch up by
   * querying.
   */
  reconnected: [];
  /** A handler threw or the connection failed; the listener carries on. */
  error: [Error];
}

/**
 * One dedicated LISTEN connection shared by everything in a `Pgq` (queue wake-ups, pub/sub,
 * RPC replies). Channels are reference-counted: the first `listen` on a channel LISTENs, the
 * last unlisten UNLISTENs. A dropped connection is reopened with backoff, every channel is
 * LISTENed again, and `reconnected` is emitted so users can catch up on what they missed:
 * a notification is a wake-up hint, never the only path to correctness.
 *
 * Behind a transaction-mode pooler (PgBouncer) a LISTEN does not stay with the session, so
 * notifications never arrive. Given `notify`, the listener finds that out on its first
 * connection (a NOTIFY sent from another connection must come back), warns once, closes its
 * connection and emits `reconnected` every `pollIntervalMs` instead (`polling` is then true).
 *
 * @example
 * ```ts
 * const unlisten = await pgq.listener.listen('pgq.jobs', (payload) => wake(payload));
 * pgq.listener.on('reconnected', () => pollOnce());
 * await unlisten();
 * ```
 */
export class Listener extends EventEmitter<ListenerEvents> {
  readonly #options: Required<Omit<ListenerOptions, 'notify'>> & Pick<ListenerOptions, 'notify'>;
  readonly #handlers = new Map<string, Set<{ handler: NotificationHandler }>>();
  readonly #listening = new Set<string>();
  #client: ListenerClient | undefined;
  #opening: Promise<void> | undefined;
  #chain: Promise<void> = Promise.resolve();
  readonly #healthCheck: WakeLoop;
  // Runs only after the connection was lost, until it is back; #opening waits on it.
  readonly #reconnect: WakeLoop;
  #reconnected: (() => void) | undefined;
  // Runs only when notifications cannot reach this process: wakes everyone up every poll.
  readonly #poll: WakeLoop;
  #probe: DeliveryProbe | undefined;
  #verified = false;
  #closed = false;

  constructor(options: ListenerOptions) {
    super();
    this.#options = {
      healthCheckIntervalMs: 5_000,
      reconnectMinDelayMs: 100,
      reconnectMaxDelayMs: 5_000,
      probeTimeoutMs: 3_000,
      pollIntervalMs: 1_000,
      ...options,
    };
    const report = (error: unknown) => this.#report(error);
    this.#healthCheck = new WakeLoop({
      turn: () => this.#checkHealth(),
      intervalMs: this.#options.healthCheckIntervalMs,
      onError: report,
    });
    this.#reconnect = new WakeLoop({
      turn: () => this.#reconnectOnce(),
      intervalMs: this.#options.reconnectMaxDelayMs,
      errorDelayMs: this.#options.reconnectMinDelayMs,
      jitter: true,
      // The LISTEN socket holds the process open; during an outage this loop stands in for it.
      ref: true,
      onError: report,
    });
    this.#poll = new WakeLoop({
      turn: async () => {
        if (this.#handlers.size > 0) this.emit('reconnected');
      },
      intervalMs: this.#options.pollIntervalMs,
      onError: report,
    });
  }

  /** True while the connection is open. */
  get connected(): boolean {
    return this.#client !== undefined;
  }

  /** The server process id of the LISTEN connection, while connected (see `pg_stat_activity`). */
  get backendPid(): number | undefined {
    return this.#client?.processID ?? undefined;
  }

  /**
   * True when notifications cannot reach this process (a transaction-mode pooler is in the
   * way): the listener holds no connection and emits `reconnected` every poll interval.
   */
  get polling(): boolean {
    return this.#poll.active;
  }

  /** The channels with at least one handler. */
  get channels(): string[] {
    return [...this.#handlers.keys()];
  }

  /**
   * Calls `handler` for every notification on `channel`. Resolves once the channel is
   * LISTENed, so a notification sent after this resolves is delivered (while `polling`, at
   * once: nothing is delivered). Returns the function that removes the handler.
   */
  async listen(channel: string, handler: NotificationHandler): Promise<() => Promise<void>> {
    if (this.#closed) throw new ClosedError('listener');
    const entry = { handler };
    let entries = this.#handlers.get(channel);
    if (!entries) {
      entries = new Set();
      this.#handlers.set(channel, entries);
    }
    entries.add(entry);
    try {
      await this.#sync();
    } catch (error) {
      this.#remove(channel, entry);
      throw error;
    }
    let removed = false;
    return async () => {
      if (removed) return;
      removed = true;
      this.#remove(channel, entry);
      await this.#sync().catch(() => {});
    };
  }

  /** Closes the connection; handlers are dropped. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#handlers.clear();
    await Promise.all([this.#healthCheck.stop(), this.#poll.stop(), this.#reconnect.stop()]);
    this.#reconnected?.();
    await this.#opening?.catch(() => {});
    const client = this.#client;
    this.#client = undefined;
    await client?.end().catch(() => {});
  }

  #remove(channel: string, entry: { handler: NotificationHandler }): void {
    const entries = this.#handlers.get(channel);
    entries?.delete(entry);
    if (entries?.size === 0) this.#handlers.delete(channel);
  }

  // One LISTEN/UNLISTEN pass at a time, so concurrent listen() calls never race each other.
  #sync(): Promise<void> {
    const run = this.#chain.then(() => this.#syncNow());
    this.#chain = run.catch(() => {});
    return run;
  }

  async #syncNow(): Promise<void> {
    if (this.#closed) return;
    if (this.#handlers.size === 0 && !this.#client) return;
    const client = await this.#ensureClient();
    if (!client) return;
    for (const channel of this.#handlers.keys()) {
      if (this.#listening.has(channel)) continue;
      await client.query(`LISTEN ${quoteIdentifier(channel)}`);
      this.#listening.add(channel);
    }
    for (const channel of this.#listening) {
      if (this.#handlers.has(channel)) continue;
      await client.query(`UNLISTEN ${quoteIdentifier(channel)}`);
      this.#listening.delete(channel);
    }
  }

  // Undefined while polling: there is no connection to LISTEN on.
  async #ensureClient(): Promise<ListenerClient | undefined> {
    for (;;) {
      if (this.#closed) throw new ClosedError('listener');
      if (this.#client || this.polling) return this.#client;
      if (!this.#opening) {
        this.#opening = this.#open().finally(() => {
          this.#opening = undefined;
        });
      }
      await this.#opening;
    }
  }

  async #open(): Promise<void> {
    const client = await this.#options.connect();
    client.on('notification', (message) => {
      if (!this.#probe?.accept(message.channel)) {
        this.#dispatch(message.channel, message.payload ?? '');
      }
    });
    client.on('error', (error) => this.#lost(client, error));
    client.on('end', () => this.#lost(client, new Error('LISTEN connection ended')));
    if (this.#closed) {
      await client.end().catch(() => {});
      return;
    }
    try {
      if (!(await this.#notificationsArrive(client))) {
        await client.end().catch(() => {});
        this.#startPolling();
        return;
      }
      const channels = [...this.#handlers.keys()];
      for (const channel of channels) await client.query(`LISTEN ${quoteIdentifier(channel)}`);
      this.#listening.clear();
      for (const channel of channels) this.#listening.add(channel);
    } catch (error) {
      await client.end().catch(() => {});
      throw error;
    }
    this.#client = client;
    this.#healthCheck.start(this.#options.healthCheckIntervalMs);
  }

  // Once per listener: whether a connection is direct does not change while the app runs.
  async #notificationsArrive(client: ListenerClient): Promise<boolean> {
    const { notify, probeTimeoutMs } = this.#options;
    if (this.#verified || !notify) return true;
    this.#probe = new DeliveryProbe();
    try {
      // Undefined (a full NOTIFY queue refused the probe): assume it works, probe next time.
      const arrived = await this.#probe.run(client, notify, probeTimeoutMs);
      this.#verified = arrived === true;
      return arrived ?? true;
    } finally {
      this.#probe = undefined;
    }
  }

  #startPolling(): void {
    const { logger, pollIntervalMs } = this.#options;
    logger.warn(
      'pgq listener: notifications do not reach this connection (a transaction-mode pooler such as PgBouncer?); polling instead. Give connect() a listenerConnectionString that reaches PostgreSQL directly.',
      { pollIntervalMs },
    );
    this.#poll.start(pollIntervalMs);
  }

  #lost(client: ListenerClient, error: Error): void {
    if (client !== this.#client || this.#closed) return;
    this.#client = undefined;
    this.#listening.clear();
    // Not awaited: a health check that found the connection lost is what calls this.
    void this.#healthCheck.stop();
    destroy(client);
    this.#options.logger.warn('pgq listener connection lost; reconnecting', {
      error: error.message,
    });
    this.#opening = new Promise<void>((resolve) => {
      this.#reconnected = resolve;
    }).finally(() => {
      this.#opening = undefined;
      this.#reconnected = undefined;
    });
    const { reconnectMinDelayMs } = this.#options;
    this.#reconnect.start(reconnectMinDelayMs * (0.5 + Math.random() / 2));
  }

  // A failed attempt throws: the loop retries it with doubling, jittered delays.
  async #reconnectOnce(): Promise<void> {
    if (this.#closed) return;
    await this.#open();
    if (this.#closed) return;
    this.#options.logger.info('pgq listener reconnected');
    this.emit('reconnected');
    this.#reconnected?.();
    // Not awaited: this turn is what stop() would wait for.
    void this.#reconnect.stop();
  }

  async #checkHealth(): Promise<void> {
    const client = this.#client;
    if (!client) return;
    try {
      const { rows } = await withTimeout(
        client.query('select pg_listening_channels() as channel'),
        this.#options.healthCheckIntervalMs,
        `health check took longer than ${this.#options.healthCheckIntervalMs} ms`,
      );
      const actual = new Set((rows as Array<{ channel: string }>).map((row) => row.channel));
      const missing = [...this.#listening].filter((channel) => !actual.has(channel));
      if (missing.length === 0) return;
      for (const channel of missing) this.#listening.delete(channel);
      await this.#sync();
      this.emit('reconnected');
    } catch (error) {
      this.#lost(client, error instanceof Error ? error : new Error(String(error)));
    }
  }

  #dispatch(channel: string, payload: string): void {
    for (const { handler } of this.#handlers.get(channel) ?? []) {
      try {
        const result = handler(payload, channel);
        if (result instanceof Promise) result.catch((error) => this.#report(error));
      } catch (error) {
        this.#report(error);
      }
    }
  }

  #report(error: unknown): void {
    reportError(this, this.#options.logger, 'pgq listener error', error);
  }
}

// A half-open socket never finishes end(): drop it so the reconnect does not wait on it.
function destroy(client: ListenerClient): void {
  (
    client as { connection?: { stream?: { destroy?: () => void } } }
  ).connection?.stream?.destroy?.();
  client.end().catch(() => {});
}
