import { randomBytes } from 'node:crypto';
import { SqlState, sqlStateOf } from './errors/sql-state.js';
import type { ListenerClient } from './listener.js';
import { quoteIdentifier } from './names.js';
import { withTimeout } from './with-timeout.js';

/**
 * Checks end to end that notifications reach a LISTEN connection: it LISTENs on a channel of
 * its own, has another connection NOTIFY it, and waits. A direct connection (or a session-mode
 * pooler) passes. A transaction-mode pooler (PgBouncer) fails: it hands the server session
 * that ran the LISTEN to other clients between statements, so the notification goes to
 * whoever holds that session then, or is dropped with it.
 *
 * @example
 * ```ts
 * const probe = new DeliveryProbe();
 * client.on('notification', (message) => probe.accept(message.channel));
 * const works = await probe.run(client, (channel, payload) => notifyFromPool(channel, payload), 3_000);
 * ```
 */
export class DeliveryProbe {
  readonly channel = `pgq_probe_${randomBytes(8).toString('hex')}`;
  #arrived: () => void = () => {};
  readonly #arrival = new Promise<void>((resolve) => {
    this.#arrived = resolve;
  });

  /** Feed it the connection's notifications; true when one was the probe's own. */
  accept(channel: string): boolean {
    if (channel !== this.channel) return false;
    this.#arrived();
    return true;
  }

  /**
   * Resolves with whether the NOTIFY sent by `notify` arrived within `timeoutMs`, or undefined
   * when the server's NOTIFY queue is full and refused it: then no one can tell.
   */
  async run(
    client: ListenerClient,
    notify: (channel: string, payload: string) => Promise<void>,
    timeoutMs: number,
  ): Promise<boolean | undefined> {
    await client.query(`LISTEN ${quoteIdentifier(this.channel)}`);
    try {
      await notify(this.channel, 'probe');
    } catch (error) {
      // SQLSTATE 54000: a listening session holds a transaction open and the queue filled up
      // (issue 26). Every NOTIFY fails until it ends; that says nothing about this connection.
      if (sqlStateOf(error) !== SqlState.programLimitExceeded) throw error;
      await client.query(`UNLISTEN ${quoteIdentifier(this.channel)}`);
      return undefined;
    }
    const arrived = await withTimeout(this.#arrival, timeoutMs, 'no notification').then(
      () => true,
      () => false,
    );
    await client.query(`UNLISTEN ${quoteIdentifier(this.channel)}`);
    return arrived;
  }
}
