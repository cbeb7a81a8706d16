// A broadcast's sends are written a batch at a time, the event loop served between batches (messenger-worker.ts
// `process`). On SQLite every statement runs on the node's one thread and its awaits are microtasks: a claim of 200
// sends written in one go let no request be read until all 200 were written, and during a broadcast every other
// account's submit waited seconds (bench/RESULTS.md, "broadcast: the event loop given back between batches").
import type { FakeTwilio } from '@causerie/test-support/fakes/twilio';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ChannelTestSetup, closeChannelTest } from '../../test/channel-app.js';
import { messagingCaller, until } from '../../test/messaging.js';
import { startSmsSender } from '../../test/sms-sender.js';
import type { BroadcastView } from './broadcasts.js';

const ACCOUNT = `AC${'c3'.repeat(16)}`;
const TOKEN = 'twilio-auth-token-batches-000001';
const NUMBER = '+33757000222';
/** One claim of the messenger worker (its CLAIM_BATCH), four write batches. */
const RECIPIENTS = 200;

let s: ChannelTestSetup;
let fake: FakeTwilio;
let agentId: number;
const call = messagingCaller(() => s.t.app);

beforeAll(async () => {
  // A short code's throughput, not a long code's one message a second: the 200 sends leave in seconds.
  ({ s, fake, agentId } = await startSmsSender({
    accountSid: ACCOUNT,
    authToken: TOKEN,
    number: NUMBER,
    sendRate: 1_000,
  }));
});
afterAll(async () => {
  await closeChannelTest(s, fake);
});

describe('a broadcast written in batches', () => {
  it('lets the event loop run between the batches of one claim, and sends every recipient', async () => {
    const recipients = Array.from({ length: RECIPIENTS }, (_, index) => ({
      to: `+33613${String(index).padStart(6, '0')}`,
      variables: { firstname: `Client ${index}` },
    }));
    const created = await call<BroadcastView>('POST', '/messenger/broadcast', s.key, {
      agent_id: agentId,
      name: 'Lots',
      channel: 'sms',
      content: { text: '{{firstname}}, votre code est 4242.' },
      recipients,
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const id = created.body.data.id;
    const db = s.t.context.db;
    // At every turn of the event loop, how many of the sends have their conversation entry written.
    const seen = new Set<number>();
    await new Promise<void>((resolve, reject) => {
      const watch = async () => {
        const row = await db
          .selectFrom('messenger_message')
          .select((eb) => eb.fn.countAll<number>().as('written'))
          .where('broadcast_id', '=', id)
          .where('conversation_id', 'is not', null)
          .executeTakeFirstOrThrow();
        const written = Number(row.written);
        seen.add(written);
        if (written === RECIPIENTS) resolve();
        else setImmediate(() => void watch().catch(reject));
      };
      void watch().catch(reject);
    });
    // The watcher ran while the claim was being written (after 50, 100, 150 on SQLite), not only before and after.
    const between = [...seen].filter((count) => count > 0 && count < RECIPIENTS);
    expect(between.length, `counts seen: ${[...seen].join(', ')}`).toBeGreaterThanOrEqual(2);
    const done = await until(async () => {
      const read = await call<BroadcastView>('GET', `/messenger/broadcast/${id}`, s.key);
      expect(read.body.data.state).toBe('completed');
      return read.body.data;
    }, 30_000);
    expect(done.progress).toMatchObject({ total: RECIPIENTS, delivered: RECIPIENTS, failed: 0, queued: 0 });
    expect(new Set(fake.accepted.map((message) => message.to)).size).toBe(RECIPIENTS);
  });
});
