import { randomBytes } from 'node:crypto';
import { connect, PgqError, quoteIdentifier } from '@pgq/core';
import { quoteLiteral } from '@pgq/core/internal';
import { createTestDatabase, type TestDatabase } from '@pgq/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { envelopeHead, sealEnvelope } from '../src/envelope.js';
import { MessageRejectedError, PubSub } from '../src/index.js';
import { MessageKey } from '../src/message-key.js';
import { PayloadFetcher } from '../src/payload-fetcher.js';
import { getPubSubKey } from '../src/sql/pubsub-key-get.js';
import { take } from './support.js';

let db: TestDatabase;
let key: MessageKey;

beforeAll(async () => {
  db = await createTestDatabase();
  key = new MessageKey(await getPubSubKey(db.pgq));
});
afterAll(() => db.dispose());

async function notify(channel: string, payload: string): Promise<void> {
  await db.pgq.query('select pg_notify($1, $2)', [db.pgq.channel(`pubsub:${channel}`), payload]);
}

describe('signed messages', () => {
  it('accepts a message built and signed in plain SQL with pubsub_tag()', async () => {
    const bus = new PubSub(db.connect());
    const pull = await bus.subscribe('auth.sql');
    // What a SQL publisher does: the text after the tag, its tag, then version + tag + text.
    await db.pgq.query(
      `with message as (
         select 'j' || $2 || ' sql:1 auth.sql' || chr(10) || $3 as rest
       )
       select pg_notify($1, '2' || ${db.pgq.quotedSchema}.pubsub_tag('2' || rest) || rest)
         from message`,
      [
        db.pgq.channel('pubsub:auth.sql'),
        Date.now().toString(36),
        JSON.stringify({ from: 'sql', é: true }),
      ],
    );
    const [message] = await take(pull, 1);
    expect(message).toEqual({
      channel: 'auth.sql',
      id: 'sql:1',
      payload: { from: 'sql', é: true },
    });
    await bus.close();
  });

  it('drops what is not genuine, counts it, and reports it once', async () => {
    const bus = new PubSub(db.connect());
    const errors: Error[] = [];
    bus.on('error', (error) => errors.push(error));
    const pull = await bus.subscribe('auth.>');
    const sentAt = Date.now();
    const signed = (channel: string, id: string, signer = key) =>
      sealEnvelope(
        signer,
        `${envelopeHead({ id, channel, kind: 'json', stored: false, sentAt })}{}`,
      );
    await notify('auth.>', signed('auth.\u001b[31mred', 'k:1')); // a key holder's bad channel
    await notify('auth.>', signed('auth.other', 'k:9', new MessageKey(randomBytes(32))));
    await notify('auth.>', signed('auth.once', 'k:2'));
    await notify('auth.>', signed('auth.once', 'k:2')); // the same message again
    await notify('auth.>', signed('auth.last', 'k:3'));
    expect((await take(pull, 2)).map((message) => message.channel)).toEqual([
      'auth.once',
      'auth.last',
    ]);
    expect(bus.rejected).toBe(3);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(MessageRejectedError);
    expect(errors[0]).toMatchObject({ reason: 'invalid-channel', rejected: 1 });
    await bus.close();
  });

  it('refuses to publish or subscribe for a role that cannot read the key, sending nothing', async () => {
    const role = `pgq_t${randomBytes(4).toString('hex')}_nokey`;
    const password = randomBytes(12).toString('hex');
    // The embedded server checks passwords; a trust server ignores them.
    await db.pgq.pool.query(
      `create role ${quoteIdentifier(role)} login password ${quoteLiteral(password)}`,
    );
    try {
      await db.pgq.pool.query(
        `grant usage on schema ${db.pgq.quotedSchema} to ${quoteIdentifier(role)}`,
      );
      const url = new URL(db.url);
      url.username = role;
      url.password = password;
      const pgq = connect({ connectionString: url.toString(), schema: db.schema });
      const bus = new PubSub(pgq);
      for (const attempt of [() => bus.publish('auth.x', 1), () => bus.subscribe('auth.x')]) {
        const error = await attempt().catch((caught: unknown) => caught);
        expect(PgqError.hasCode(error, 'PGQ_PUBSUB_KEY')).toBe(true);
        expect((error as Error).message).toMatch(/may not read .*pubsub_auth/);
      }
      await bus.close();
      await pgq.close();
    } finally {
      await db.pgq.pool.query(`drop owned by ${quoteIdentifier(role)}`);
      await db.pgq.pool.query(`drop role ${quoteIdentifier(role)}`);
    }
  });
});

describe('PayloadFetcher', () => {
  it('reads a body once for concurrent fetches, and no more than its bound at once', async () => {
    const ids = [0, 1, 2, 3, 4].map((n) => `00000000-0000-4000-8000-00000000000${n}`);
    await db.pgq.query(
      `insert into ${db.pgq.table('pubsub_payloads')} (id, channel, payload)
       select id, 'auth.fetch', 'body ' || id from unnest($1::uuid[]) as id`,
      [ids],
    );
    const fetcher = new PayloadFetcher(db.pgq, 2);
    expect(fetcher.fetch(ids[0]!, 'auth.fetch')).toBe(fetcher.fetch(ids[0]!, 'auth.fetch'));
    expect(await fetcher.fetch(ids[0]!, 'other.channel')).toBeUndefined();
    // Hold the table so reads block, and count the reads waiting on it.
    const holder = await db.pgq.pool.connect();
    try {
      await holder.query('begin');
      await holder.query(`lock table ${db.pgq.table('pubsub_payloads')} in access exclusive mode`);
      const reads = ids.map((id) => fetcher.fetch(id, 'auth.fetch'));
      const blocked = async () => {
        const rows = await db.pgq.query<{ count: number }>(
          `select count(*)::int as count from pg_stat_activity
            where wait_event_type = 'Lock' and query like 'select payload from %'`,
        );
        return rows[0]!.count;
      };
      for (let look = 0; look < 20 && (await blocked()) < 2; look++) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(await blocked()).toBe(2);
      await holder.query('commit');
      expect(await Promise.all(reads)).toEqual(ids.map((id) => `body ${id}`));
    } finally {
      holder.release();
    }
  });
});
