// Group commit: concurrent sends share transactions, keep per-conversation order and seqs, and fail one by one.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MESSAGE_KIND } from '../db/schema.js';
import { ApiError } from '../errors.js';
import { clientWithKey, startTestApp, type TestApp } from '../test/harness.js';
import { MessageWriter } from './writer.js';

let t: TestApp;
let open1: number;
let open2: number;
let closed: number;

beforeAll(async () => {
  t = await startTestApp();
  const { key } = await clientWithKey(t, 'Writer Co');
  const website = (await t.api('POST', '/website', { key, json: { url: 'https://writer.example' } })).body.data.id;
  const create = async () =>
    (await t.api('POST', '/conversation', { key, json: { website_id: website } })).body.data.id;
  [open1, open2, closed] = [await create(), await create(), await create()];
  await t.api('POST', `/conversation/${closed}/close`, { key, json: { operator_closed: false } });
});
afterAll(async () => t.close());

describe('MessageWriter', () => {
  it('writes a burst of sends in few transactions, numbering each conversation in send order', async () => {
    const writer = new MessageWriter(t.store.db, t.context.dialect);
    const sends = [];
    for (let index = 0; index < 60; index += 1) {
      const conversationId = index % 2 === 0 ? open1 : open2;
      sends.push(
        writer.send({ conversationId, kind: MESSAGE_KIND.visitor, text: `m${index}`, clientMessageId: `c${index}` }),
      );
    }
    // A resend within the same burst is stored once.
    sends.push(writer.send({ conversationId: open1, kind: MESSAGE_KIND.visitor, text: 'm0', clientMessageId: 'c0' }));
    const results = await Promise.all(sends);
    expect(results.filter((result) => result.duplicate)).toHaveLength(1);
    expect(results.at(-1)?.row.seq).toBe(results[0]?.row.seq);
    // Counted by the writer itself: the app's background workers open transactions of their own meanwhile.
    expect(writer.transactions).toBeLessThanOrEqual(2);
    for (const conversationId of [open1, open2]) {
      const rows = await t.store.db
        .selectFrom('conversation_message')
        .select(['seq', 'body'])
        .where('conversation_id', '=', conversationId)
        .orderBy('seq')
        .execute();
      expect(rows.map((row) => Number(row.seq))).toEqual(rows.map((_, index) => index + 1));
      const order = rows.map((row) => Number(row.body.slice(1)));
      expect(order).toEqual([...order].sort((a, b) => a - b));
      expect(rows).toHaveLength(30);
    }
  });

  it('fails only the message aimed at a closed conversation', async () => {
    const writer = new MessageWriter(t.store.db, t.context.dialect);
    const settled = await Promise.allSettled([
      writer.send({ conversationId: open1, kind: MESSAGE_KIND.visitor, text: 'before' }),
      writer.send({ conversationId: closed, kind: MESSAGE_KIND.visitor, text: 'refused' }),
      writer.send({ conversationId: open2, kind: MESSAGE_KIND.visitor, text: 'after' }),
    ]);
    expect(settled.map((result) => result.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    const refusal = settled[1];
    expect(refusal?.status === 'rejected' && refusal.reason instanceof ApiError && refusal.reason.message).toBe(
      `Conversation ${closed} is closed.`,
    );
    const stored = await t.store.db
      .selectFrom('conversation_message')
      .select('body')
      .where('conversation_id', '=', closed)
      .execute();
    expect(stored.map((row) => row.body)).not.toContain('refused');
  });
});
