// Routing as the sockets see it: assigned, queued with positions pushed on change, served when a slot frees,
// transferred, abandoned, and offline with the message kept; plus the visitor's HTTP fallback.
import type { AddressInfo } from 'node:net';
import { type Frame, RealtimeClient } from '@causerie/test-support/realtime-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientWithKey, eventTypesFor, startTestApp, type TestApp } from '../test/harness.js';

let t: TestApp;
let base: string;
let key: string;
let websiteId: number;
const sockets: RealtimeClient[] = [];

async function open(path: string): Promise<RealtimeClient> {
  const socket = await RealtimeClient.open(`${base}${path}`);
  sockets.push(socket);
  return socket;
}

async function newOperator(
  name: string,
  site: number,
  fields: Record<string, unknown> = {},
): Promise<{ id: number; socket: RealtimeClient }> {
  const email = `${name.toLowerCase()}@queue.example`;
  const created = await t.api('POST', '/operator', {
    key,
    json: { name, email, password: 'queue-secret', website_list: [site], ...fields },
  });
  if (created.status !== 200) throw new Error(JSON.stringify(created.body));
  const login = await t.app.inject({
    method: 'POST',
    url: '/auth/login',
    payload: { email, password: 'queue-secret' },
  });
  const socket = await open(`/realtime/operator?token=${login.json<{ data: { token: string } }>().data.token}`);
  await socket.next('snapshot');
  await socket.request({ type: 'availability', chat: true }, 'availability');
  return { id: created.body.data.id, socket };
}

async function visitorOn(site: number): Promise<{ socket: RealtimeClient; vuid: string }> {
  const socket = await open('/realtime/visitor');
  const welcome = await socket.request({ type: 'hello', website_id: site }, 'welcome');
  return { socket, vuid: String(welcome.vuid) };
}

const isState = (conversationId: number, status: string) => (frame: Frame) =>
  frame.type === 'conversation' &&
  (frame.conversation as { id: number; status: string }).id === conversationId &&
  (frame.conversation as { status: string }).status === status;

beforeAll(async () => {
  t = await startTestApp({ presenceGraceMs: 200 });
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  base = `ws://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
  ({ key } = await clientWithKey(t, 'Queue Co'));
  websiteId = (await t.api('POST', '/website', { key, json: { url: 'https://queue.example' } })).body.data.id;
});

afterAll(async () => {
  await Promise.all(sockets.map((socket) => socket.close()));
  await t.close();
});

describe('the waiting queue over sockets', () => {
  it('queues visitors when the operator is busy, pushes positions, and serves the queue when a slot frees', async () => {
    const bob = await newOperator('Bob', websiteId, { chat_max_number: 1 });
    const first = await visitorOn(websiteId);
    const firstStart = await first.socket.request({ type: 'start', text: 'first' }, 'started');
    expect(firstStart.outcome).toBe('assigned');
    const firstId = Number(firstStart.conversation_id);
    await bob.socket.next('assigned');

    const second = await visitorOn(websiteId);
    const secondStart = await second.socket.request({ type: 'start', text: 'second' }, 'started');
    expect(secondStart).toMatchObject({
      outcome: 'queued',
      position: 1,
      estimated_wait_seconds: expect.any(Number),
      conversation: { status: 'waiting', operator: null },
    });
    const secondId = Number(secondStart.conversation_id);
    const third = await visitorOn(websiteId);
    const thirdStart = await third.socket.request({ type: 'start', text: 'third' }, 'started');
    expect(thirdStart).toMatchObject({ outcome: 'queued', position: 2 });
    expect(await third.socket.next('queue')).toMatchObject({
      conversation_id: thirdStart.conversation_id,
      position: 2,
    });
    // The operator sees the queue grow.
    await bob.socket.next((frame) => frame.type === 'queue' && frame.website_id === websiteId && frame.waiting === 2);

    // Bob closes the first: the slot goes to the second visitor; the third moves up.
    await bob.socket.request({ type: 'close', conversation_id: firstId }, 'closed');
    const assigned = await bob.socket.next('assigned');
    expect(assigned.conversation).toMatchObject({ id: secondId, status: 'open', operator_id: bob.id });
    expect((assigned.history as Frame[]).map((entry) => entry.text)).toEqual(['second', 'OPERATOR_CHAT_ASSIGNED']);
    await second.socket.next(isState(secondId, 'open'));
    expect(await third.socket.next((frame) => frame.type === 'queue' && frame.position === 1)).toMatchObject({
      conversation_id: thirdStart.conversation_id,
    });
    await bob.socket.next((frame) => frame.type === 'queue' && frame.waiting === 1);

    // The third leaves while waiting: abandoned, recorded for statistics.
    const closed = await third.socket.request({ type: 'close' }, 'closed');
    expect(closed).toMatchObject({ outcome: 'abandoned' });
    const row = await t.store.db
      .selectFrom('conversation')
      .select(['status', 'outcome', 'wait_ms'])
      .where('id', '=', Number(thirdStart.conversation_id))
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({ status: 'closed', outcome: 'abandoned' });
    expect(await eventTypesFor(t, 'conversation', Number(thirdStart.conversation_id))).toEqual(
      expect.arrayContaining(['conversation.queued', 'conversation.abandoned', 'conversation.closed']),
    );
  });

  it('transfers a conversation to another operator: the new one is assigned it with its history, the old one is told', async () => {
    const site = (await t.api('POST', '/website', { key, json: { url: 'https://transfer.example' } })).body.data.id;
    const dora = await newOperator('Dora', site);
    const visitor = await visitorOn(site);
    const started = await visitor.socket.request({ type: 'start', text: 'help' }, 'started');
    const conversationId = Number(started.conversation_id);
    await dora.socket.next('assigned');
    const eve = await newOperator('Eve', site, { pseudo: 'Eve' });
    const answer = await dora.socket.request(
      { type: 'transfer', conversation_id: conversationId, operator_id: eve.id },
      'transferred',
    );
    expect(answer).toEqual({ type: 'transferred', conversation_id: conversationId, operator_id: eve.id });
    expect(await dora.socket.next('unassigned')).toEqual({
      type: 'unassigned',
      conversation_id: conversationId,
      operator_id: eve.id,
      status: 'open',
    });
    const assigned = await eve.socket.next('assigned');
    expect((assigned.history as Frame[]).map((entry) => entry.text)).toEqual([
      'help',
      'OPERATOR_CHAT_ASSIGNED',
      'OPERATOR_CHAT_TRANSFERRED',
    ]);
    const state = await visitor.socket.next(
      (frame) =>
        frame.type === 'conversation' &&
        (frame.conversation as { operator: { id: number } | null }).operator?.id === eve.id,
    );
    expect(state.conversation).toMatchObject({ operator: { id: eve.id, name: 'Eve' } });
    // Dora no longer writes to it; Eve does, and the visitor reads her.
    expect(
      await dora.socket.request({ type: 'reply', conversation_id: conversationId, text: 'still me?' }, 'error'),
    ).toMatchObject({ code: 'not_permitted', field: 'conversation_id' });
    await eve.socket.request({ type: 'reply', conversation_id: conversationId, text: 'Eve here' }, 'ack');
    expect(await visitor.socket.next((frame) => frame.type === 'entry' && frame.text === 'Eve here')).toMatchObject({
      operator_id: eve.id,
    });
    const refused = await eve.socket.request({ type: 'transfer', conversation_id: conversationId }, 'error');
    expect(refused).toMatchObject({ code: 'field_missing', field: 'operator_id' });
    // The visitor leaves: Eve sees the closing notice and the closed state.
    expect(await visitor.socket.request({ type: 'close' }, 'closed')).toEqual({
      type: 'closed',
      conversation_id: conversationId,
      outcome: 'answered',
    });
    expect(
      await eve.socket.next((frame) => frame.type === 'entry' && frame.text === 'VISITOR_CHAT_CLOSE'),
    ).toMatchObject({ kind: 'system' });
    expect(await eve.socket.next('conversation')).toMatchObject({
      conversation: { id: conversationId, status: 'closed' },
    });
  });

  it('ends a start with nobody connected as offline, keeping the message', async () => {
    const site = (await t.api('POST', '/website', { key, json: { url: 'https://empty.example' } })).body.data.id;
    const visitor = await visitorOn(site);
    const started = await visitor.socket.request(
      { type: 'start', text: 'Call me back please', client_message_id: 'left-1' },
      'started',
    );
    expect(started).toMatchObject({
      outcome: 'offline',
      conversation: { status: 'closed', outcome: 'missed_offline' },
    });
    expect(await visitor.socket.next('ack')).toMatchObject({ client_message_id: 'left-1', seq: 1 });
    const kept = await t.store.db
      .selectFrom('conversation_message')
      .select('body')
      .where('conversation_id', '=', Number(started.conversation_id))
      .orderBy('seq')
      .execute();
    expect(kept[0]?.body).toBe('Call me back please');
    // The same start resent after a lost answer is recognised, not started twice.
    const again = await visitor.socket.request(
      { type: 'start', text: 'Call me back please', client_message_id: 'left-1' },
      'started',
    );
    expect(again).toMatchObject({ conversation_id: started.conversation_id, duplicate: true, outcome: 'offline' });
    // Its first message is acknowledged again, as the first time: a client waiting on that ack moves on.
    expect(await visitor.socket.next('ack')).toEqual({
      type: 'ack',
      conversation_id: started.conversation_id,
      client_message_id: 'left-1',
      seq: 1,
    });
  });

  it('refuses a second start while a conversation is open', async () => {
    const site = (await t.api('POST', '/website', { key, json: { url: 'https://twice.example' } })).body.data.id;
    await newOperator('Fay', site);
    const visitor = await visitorOn(site);
    const started = await visitor.socket.request({ type: 'start', text: 'one' }, 'started');
    const refused = await visitor.socket.request({ type: 'start', text: 'two' }, 'error');
    expect(refused).toEqual({
      type: 'error',
      code: 'conversation_open',
      field: 'conversation_id',
      message: `Conversation ${String(started.conversation_id)} is still open: send messages to it, or close it before starting another.`,
    });
  });
});

describe('the HTTP fallback', () => {
  it('sends (starting a conversation), then polls entries after a seq, without notes', async () => {
    const site = (await t.api('POST', '/website', { key, json: { url: 'https://http.example' } })).body.data.id;
    const gus = await newOperator('Gus', site);
    const sent = await t.app.inject({
      method: 'POST',
      url: '/realtime/visitor/messages',
      payload: { website_id: site, text: 'No sockets here', client_message_id: 'h-1' },
    });
    expect(sent.statusCode).toBe(200);
    const data = sent.json<{ data: { vuid: string; conversation_id: number; seq: number; outcome: string } }>().data;
    expect(data).toMatchObject({ seq: 1, outcome: 'assigned', client_message_id: 'h-1', duplicate: false });
    const assigned = await gus.socket.next('assigned');
    const conversationId = data.conversation_id;
    expect(assigned.conversation).toMatchObject({ id: conversationId });

    const again = await t.app.inject({
      method: 'POST',
      url: '/realtime/visitor/messages',
      payload: { website_id: site, vuid: data.vuid, text: 'No sockets here', client_message_id: 'h-1' },
    });
    expect(again.json()).toMatchObject({ data: { conversation_id: conversationId, seq: 1, duplicate: true } });
    const more = await t.app.inject({
      method: 'POST',
      url: '/realtime/visitor/messages',
      payload: { website_id: site, vuid: data.vuid, text: 'Anyone?', client_message_id: 'h-2' },
    });
    expect(more.json()).toMatchObject({
      data: { conversation_id: conversationId, seq: 3, duplicate: false, outcome: null },
    });
    expect(await gus.socket.next((frame) => frame.type === 'entry' && frame.text === 'Anyone?')).toMatchObject({
      seq: 3,
    });

    await gus.socket.request({ type: 'note', conversation_id: conversationId, text: 'secret note' }, 'ack');
    await gus.socket.request({ type: 'reply', conversation_id: conversationId, text: 'Yes!' }, 'ack');
    const poll = await t.app.inject({
      method: 'GET',
      url: `/realtime/visitor/messages?website_id=${site}&vuid=${data.vuid}&after_seq=2`,
    });
    expect(poll.statusCode).toBe(200);
    const polled = poll.json<{ data: { conversation: { status: string }; entries: Frame[]; queue: null } }>().data;
    expect(polled.conversation).toMatchObject({ id: conversationId, status: 'open', operator: { id: gus.id } });
    expect(polled.entries.map((entry) => [entry.seq, entry.kind, entry.text])).toEqual([
      [3, 'visitor', 'Anyone?'],
      [5, 'operator', 'Yes!'],
    ]);
  });

  it("answers 400 naming the field, and 404 for a conversation that is not the visitor's", async () => {
    const missing = await t.app.inject({
      method: 'POST',
      url: '/realtime/visitor/messages',
      payload: { website_id: websiteId },
    });
    expect(missing.statusCode).toBe(400);
    expect(missing.json()).toEqual({
      meta: { status: 'fail', message: "Field 'text' is missing.", error: 'field_missing', field: 'text' },
    });
    const unknownSite = await t.app.inject({
      method: 'POST',
      url: '/realtime/visitor/messages',
      payload: { website_id: 999_999, text: 'x' },
    });
    expect(unknownSite.json()).toEqual({
      meta: {
        status: 'fail',
        message: "Value of field 'website_id' is not valid. Unknown 'website' with 'id' 999999.",
        error: 'field_invalid',
        field: 'website_id',
      },
    });
    const visitor = await visitorOn(websiteId);
    const poll = await t.app.inject({
      method: 'GET',
      url: `/realtime/visitor/messages?website_id=${websiteId}&vuid=${visitor.vuid}&conversation_id=1`,
    });
    expect(poll.statusCode).toBe(404);
    // A vuid never stored (a hello writes nothing) is a visitor without conversations.
    const stranger = await t.app.inject({
      method: 'GET',
      url: `/realtime/visitor/messages?website_id=${websiteId}&vuid=nobody-at-all`,
    });
    expect(stranger.json()).toEqual({
      meta: { status: 'success' },
      data: { conversation: null, entries: [], queue: null },
    });
    const badSeq = await t.app.inject({
      method: 'GET',
      url: `/realtime/visitor/messages?website_id=${websiteId}&vuid=x&after_seq=-1`,
    });
    expect(badSeq.statusCode).toBe(400);
    expect(badSeq.json<{ meta: { message: string } }>().meta.message).toContain("'after_seq'");
  });
});

describe('the HTTP fallback under hostile input', () => {
  it('never answers 5xx, and always the envelope with a message', async () => {
    const values: unknown[] = [
      null,
      true,
      -1,
      0,
      1.5,
      2 ** 31,
      '',
      ' ',
      'x'.repeat(30_000),
      'a\u0000b',
      [],
      [1],
      {},
      { a: 1 },
      '1e3',
    ];
    const fields = ['website_id', 'vuid', 'conversation_id', 'text', 'client_message_id', 'page_type'];
    const base = { website_id: websiteId, text: 'hello' };
    for (const field of fields) {
      for (const value of values) {
        for (const payload of [{ [field]: value }, { ...base, [field]: value }]) {
          const answer = await t.app.inject({ method: 'POST', url: '/realtime/visitor/messages', payload });
          expect(answer.statusCode, `${field}=${JSON.stringify(value)?.slice(0, 40)}`).toBeLessThan(500);
          if (answer.statusCode >= 400)
            expect(answer.json<{ meta: { status: string; message: string } }>().meta.message).toMatch(/\S/);
        }
      }
    }
    for (const raw of ['', 'null', '[]', '{', '"text"']) {
      const answer = await t.app.inject({
        method: 'POST',
        url: '/realtime/visitor/messages',
        headers: { 'content-type': 'application/json' },
        payload: raw,
      });
      expect(answer.statusCode, raw).toBe(400);
    }
    for (const query of [
      'website_id=abc&vuid=x',
      'website_id=1',
      'website_id=1&vuid=%00',
      `website_id=${websiteId}&vuid=x&after_seq=abc`,
      `website_id=${websiteId}&vuid=x&conversation_id=-5`,
      'vuid=x',
    ]) {
      const answer = await t.app.inject({ method: 'GET', url: `/realtime/visitor/messages?${query}` });
      expect(answer.statusCode, query).toBe(400);
      expect(answer.json<{ meta: { message: string } }>().meta.message).toMatch(/\S/);
    }
  });
});
