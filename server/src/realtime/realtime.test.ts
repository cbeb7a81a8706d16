// The realtime protocol over real sockets: a visitor and an operator converse, resume, resend, identify, and misbehave.
import type { AddressInfo } from 'node:net';
import { type Frame, RealtimeClient } from '@causerie/test-support/realtime-client';
import { assertEventually } from '@causerie/test-support/wait';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MESSAGE_KIND } from '../db/schema.js';
import { attachDispatcher, detachDispatcher } from '../events/transact.js';
import { clientWithKey, eventTypesFor, startTestApp, type TestApp } from '../test/harness.js';
import { topics } from './bus.js';
import { sendEntry } from './commands.js';
import { signIdentity, websiteIdentitySecret } from './identity.js';
import { entryPayload } from './messages.js';
import { gatewayOf } from './plugin.js';

let t: TestApp;
let base: string;
let key: string;
let websiteId: number;
let otherWebsiteId: number;
const sockets: RealtimeClient[] = [];

async function visitor(headers: Record<string, string> = {}): Promise<RealtimeClient> {
  const socket = await RealtimeClient.open(`${base}/realtime/visitor`, headers);
  sockets.push(socket);
  return socket;
}

async function operatorSocket(token: string): Promise<RealtimeClient> {
  const socket = await RealtimeClient.open(`${base}/realtime/operator?token=${encodeURIComponent(token)}`);
  sockets.push(socket);
  return socket;
}

/** Creates an operator of the test client on the website and logs them in. */
async function newOperator(name: string, fields: Record<string, unknown> = {}): Promise<{ id: number; token: string }> {
  const email = `${name.toLowerCase()}@realtime.example`;
  const created = await t.api('POST', '/operator', {
    key,
    json: { name, email, password: 'realtime-secret', website_list: [websiteId], ...fields },
  });
  if (created.status !== 200) throw new Error(JSON.stringify(created.body));
  const login = await t.app.inject({
    method: 'POST',
    url: '/auth/login',
    payload: { email, password: 'realtime-secret' },
  });
  return { id: created.body.data.id, token: String(login.json<{ data: { token: string } }>().data.token) };
}

/** An operator socket that has its snapshot and is available for chat. */
async function availableOperator(token: string): Promise<RealtimeClient> {
  const socket = await operatorSocket(token);
  await socket.next('snapshot');
  const availability = await socket.request({ type: 'availability', chat: true }, 'availability');
  expect(availability).toMatchObject({ connected: true, chat: true });
  return socket;
}

async function helloed(fields: Record<string, unknown> = {}): Promise<{ socket: RealtimeClient; welcome: Frame }> {
  const socket = await visitor();
  const welcome = await socket.request(
    { type: 'hello', website_id: websiteId, ...fields },
    (frame) => frame.type === 'welcome' || frame.type === 'error',
  );
  return { socket, welcome };
}

const eventually = (assertion: () => void | Promise<void>, timeoutMs = 2000) =>
  assertEventually(assertion, timeoutMs, 20);

const entries = (socket: RealtimeClient, conversationId: number) =>
  socket.received((frame) => frame.type === 'entry' && frame.conversation_id === conversationId);

beforeAll(async () => {
  t = await startTestApp({ presenceGraceMs: 200 });
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  base = `ws://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
  ({ key } = await clientWithKey(t, 'Realtime Co'));
  websiteId = (await t.api('POST', '/website', { key, json: { url: 'https://shop.example' } })).body.data.id;
  otherWebsiteId = (await t.api('POST', '/website', { key, json: { url: 'https://other.example' } })).body.data.id;
});

afterAll(async () => {
  await Promise.all(sockets.map((socket) => socket.close()));
  await t.close();
});

describe('a live conversation between a visitor socket and an operator socket', () => {
  let alice: { id: number; token: string };
  let operator: RealtimeClient;
  let visitorSocket: RealtimeClient;
  let vuid: string;
  let conversationId: number;

  beforeAll(async () => {
    alice = await newOperator('Alice', { pseudo: 'Alice from support', chat_max_number: 3 });
    operator = await availableOperator(alice.token);
  });

  it('mints a vuid on the first hello and keeps it on the next', async () => {
    const first = await helloed();
    expect(first.welcome).toMatchObject({ type: 'welcome', identity: null, conversation: null });
    vuid = String(first.welcome.vuid);
    expect(vuid).toMatch(/^[0-9a-f]{45}$/);
    // A page view writes nothing: the visitor is stored with its first conversation.
    expect(
      await t.store.db.selectFrom('visitor').select('id').where('unique_id', '=', vuid).executeTakeFirst(),
    ).toBeUndefined();
    await first.socket.close();
    const again = await helloed({ vuid });
    expect(again.welcome.vuid).toBe(vuid);
    visitorSocket = again.socket;
  });

  it('starts a conversation: the visitor is acknowledged with a seq, the operator is assigned it with its history', async () => {
    const started = await visitorSocket.request(
      { type: 'start', text: 'Hello, my order is late', client_message_id: 'v-1', page_type: 'cart', ref: 'r1' },
      'started',
    );
    expect(started).toMatchObject({ type: 'started', outcome: 'assigned', ref: 'r1' });
    conversationId = Number(started.conversation_id);
    const stored = await t.store.db
      .selectFrom('visitor')
      .select('id')
      .where('unique_id', '=', vuid)
      .executeTakeFirstOrThrow();
    expect(await eventTypesFor(t, 'visitor', stored.id)).toEqual(['visitor.created']);
    expect(await visitorSocket.next('ack')).toEqual({
      type: 'ack',
      conversation_id: conversationId,
      client_message_id: 'v-1',
      seq: 1,
      ref: 'r1',
    });

    const assigned = await operator.next('assigned');
    expect(assigned.conversation).toMatchObject({
      id: conversationId,
      status: 'open',
      operator_id: alice.id,
      website_id: websiteId,
      page_type: 'cart',
      visitor: { vuid },
    });
    expect(assigned.history).toEqual([
      expect.objectContaining({ seq: 1, kind: 'visitor', text: 'Hello, my order is late', client_message_id: 'v-1' }),
      expect.objectContaining({
        seq: 2,
        kind: 'system',
        text: 'OPERATOR_CHAT_ASSIGNED',
        data: { event: 'assigned', operator_id: alice.id },
      }),
    ]);

    const seen = await visitorSocket.next((frame) => frame.type === 'entry' && frame.seq === 2);
    // The visitor sees the assignment notice, without the operator-only details of its data.
    expect(seen).toMatchObject({ kind: 'system', text: 'OPERATOR_CHAT_ASSIGNED', data: { event: 'assigned' } });
    expect((seen.data as Record<string, unknown>).operator_id).toBeUndefined();
    expect(started.conversation).toMatchObject({
      id: conversationId,
      status: 'open',
      operator: { id: alice.id, name: 'Alice from support' },
    });
  });

  it('carries replies and messages both ways, each acknowledged with its seq', async () => {
    const reply = await operator.request(
      { type: 'reply', conversation_id: conversationId, text: 'Let me check', client_message_id: 'o-1' },
      'ack',
    );
    expect(reply).toEqual({ type: 'ack', conversation_id: conversationId, client_message_id: 'o-1', seq: 3 });
    expect(await visitorSocket.next((frame) => frame.type === 'entry' && frame.seq === 3)).toMatchObject({
      kind: 'operator',
      text: 'Let me check',
      operator_id: alice.id,
    });

    const message = await visitorSocket.request({ type: 'message', text: 'Thanks!', client_message_id: 'v-2' }, 'ack');
    expect(message).toMatchObject({ seq: 4, client_message_id: 'v-2' });
    expect(await operator.next((frame) => frame.type === 'entry' && frame.seq === 4)).toMatchObject({
      conversation_id: conversationId,
      kind: 'visitor',
      text: 'Thanks!',
    });

    const row = await t.store.db
      .selectFrom('conversation')
      .select(['operator_answer', 'answered_at'])
      .where('id', '=', conversationId)
      .executeTakeFirstOrThrow();
    expect(row.operator_answer).toBe(1);
    expect(await eventTypesFor(t, 'conversation', conversationId)).toEqual(
      expect.arrayContaining(['conversation.started', 'conversation.assigned', 'message.created']),
    );
  });

  it('relays typing both ways and persists read positions', async () => {
    visitorSocket.send({ type: 'typing', on: true });
    expect(await operator.next('typing')).toEqual({ type: 'typing', conversation_id: conversationId, on: true });
    operator.send({ type: 'typing', conversation_id: conversationId, on: false });
    expect(await visitorSocket.next('typing')).toEqual({ type: 'typing', conversation_id: conversationId, on: false });

    visitorSocket.send({ type: 'read', seq: 3 });
    expect(await operator.next('read')).toEqual({
      type: 'read',
      conversation_id: conversationId,
      by: 'visitor',
      seq: 3,
    });
    operator.send({ type: 'read', conversation_id: conversationId, seq: 99 });
    // Never past the last entry.
    expect(await visitorSocket.next('read')).toEqual({
      type: 'read',
      conversation_id: conversationId,
      by: 'operator',
      seq: 4,
    });
    const row = await t.store.db
      .selectFrom('conversation')
      .select(['visitor_read_seq', 'operator_read_seq'])
      .where('id', '=', conversationId)
      .executeTakeFirstOrThrow();
    expect([Number(row.visitor_read_seq), Number(row.operator_read_seq)]).toEqual([3, 4]);
  });

  it('never shows a note to the visitor', async () => {
    const note = await operator.request(
      { type: 'note', conversation_id: conversationId, text: 'VIP customer, be nice', client_message_id: 'n-1' },
      'ack',
    );
    expect(note.seq).toBe(5);
    expect(await operator.next((frame) => frame.type === 'entry' && frame.seq === 5)).toMatchObject({
      kind: 'note',
      text: 'VIP customer, be nice',
    });
    await operator.request(
      { type: 'reply', conversation_id: conversationId, text: 'All sorted', client_message_id: 'o-2' },
      'ack',
    );
    // The visitor's next entry is the reply (seq 6): the note's seq is skipped, never sent.
    expect(await visitorSocket.next((frame) => frame.type === 'entry' && Number(frame.seq) >= 5)).toMatchObject({
      seq: 6,
      text: 'All sorted',
    });
    expect(visitorSocket.received((frame) => JSON.stringify(frame).includes('VIP'))).toEqual([]);
  });

  it('records navigation entries (history type 5), refusing anything but an http(s) URL', async () => {
    const bad = await visitorSocket.request({ type: 'navigate', url: 'javascript:alert(1)' }, 'error');
    expect(bad).toMatchObject({ code: 'field_invalid', field: 'url' });
    const ack = await visitorSocket.request({ type: 'navigate', url: 'https://shop.example/cart' }, 'ack');
    const stored = await t.store.db
      .selectFrom('conversation_message')
      .select(['kind', 'body'])
      .where('conversation_id', '=', conversationId)
      .where('seq', '=', Number(ack.seq))
      .executeTakeFirstOrThrow();
    expect(stored).toEqual({ kind: MESSAGE_KIND.navigation, body: 'https://shop.example/cart' });
    expect(await operator.next((frame) => frame.type === 'entry' && frame.seq === ack.seq)).toMatchObject({
      kind: 'navigation',
      text: 'https://shop.example/cart',
    });
  });

  it('acknowledges a resent message with the same seq and stores it once', async () => {
    const first = await visitorSocket.request(
      { type: 'message', text: 'Are you there?', client_message_id: 'dup-1' },
      'ack',
    );
    const again = await visitorSocket.request(
      { type: 'message', text: 'Are you there?', client_message_id: 'dup-1' },
      'ack',
    );
    expect(again).toEqual({ ...first, duplicate: true });
    // Two sends at once (a resend racing the original) still store it once.
    visitorSocket.send({ type: 'message', text: 'Hello?', client_message_id: 'dup-2' });
    visitorSocket.send({ type: 'message', text: 'Hello?', client_message_id: 'dup-2' });
    const a = await visitorSocket.next((frame) => frame.type === 'ack' && frame.client_message_id === 'dup-2');
    const b = await visitorSocket.next((frame) => frame.type === 'ack' && frame.client_message_id === 'dup-2');
    expect(a.seq).toBe(b.seq);
    const count = await t.store.db
      .selectFrom('conversation_message')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('conversation_id', '=', conversationId)
      .where('client_message_id', 'in', ['dup-1', 'dup-2'])
      .executeTakeFirstOrThrow();
    expect(Number(count.n)).toBe(2);
    await operator.next((frame) => frame.type === 'entry' && frame.client_message_id === 'dup-2');
    expect(operator.received((frame) => frame.type === 'entry' && frame.client_message_id === 'dup-1')).toHaveLength(1);
  });

  it('resumes after a disconnect with exactly the entries missed, then live', async () => {
    const lastSeen = Math.max(...entries(visitorSocket, conversationId).map((frame) => Number(frame.seq)));
    await visitorSocket.close();
    for (const text of ['one', 'two', 'three'])
      await operator.request(
        { type: 'reply', conversation_id: conversationId, text, client_message_id: `miss-${text}` },
        (frame) => frame.type === 'ack' && frame.client_message_id === `miss-${text}`,
      );
    await operator.request(
      { type: 'note', conversation_id: conversationId, text: 'internal', client_message_id: 'miss-note' },
      (frame) => frame.type === 'ack' && frame.client_message_id === 'miss-note',
    );

    const { socket, welcome } = await helloed({ vuid, conversation_id: conversationId, last_seq: lastSeen });
    visitorSocket = socket;
    expect(welcome.conversation).toMatchObject({ id: conversationId, status: 'open' });
    await socket.next((frame) => frame.type === 'entry' && frame.text === 'three');
    await operator.request(
      { type: 'reply', conversation_id: conversationId, text: 'live again', client_message_id: 'live-1' },
      (frame) => frame.type === 'ack' && frame.client_message_id === 'live-1',
    );
    await socket.next((frame) => frame.type === 'entry' && frame.text === 'live again');
    const texts = entries(socket, conversationId).map((frame) => frame.text);
    expect(texts).toEqual(['one', 'two', 'three', 'live again']);
    const seqs = entries(socket, conversationId).map((frame) => Number(frame.seq));
    expect(seqs).toEqual([...seqs].sort((x, y) => x - y));
    expect(seqs[0]).toBeGreaterThan(lastSeen);
  });

  it('delivers exactly once and in order when a publish is lost or arrives twice', async () => {
    const gateway = gatewayOf(t.context);
    if (gateway === undefined) throw new Error('no gateway');
    // Lost: stored but never published (a node dying between commit and its reactions): no dispatcher meanwhile.
    detachDispatcher(t.store.db);
    const lost = await sendEntry(t.store.db, {
      conversationId,
      kind: MESSAGE_KIND.operator,
      text: 'lost publish',
      operatorId: alice.id,
    }).finally(() => attachDispatcher(t.store.db, t.context.reactions));
    // The next entry's publish reveals the gap: both sockets read it from the database first.
    const next = await operator.request(
      { type: 'reply', conversation_id: conversationId, text: 'after the gap', client_message_id: 'gap-1' },
      'ack',
    );
    await visitorSocket.next((frame) => frame.type === 'entry' && frame.seq === next.seq);
    // Twice: the same entry published again is dropped.
    gateway.bus.publish(topics.conversation(conversationId), {
      t: 'entry',
      c: conversationId,
      e: entryPayload(lost.row),
    });
    await visitorSocket.request({ type: 'ping' }, 'pong');
    const texts = entries(visitorSocket, conversationId).map((frame) => frame.text);
    expect(texts.slice(-2)).toEqual(['lost publish', 'after the gap']);
    expect(texts.filter((text) => text === 'lost publish')).toHaveLength(1);
    await operator.next((frame) => frame.type === 'entry' && frame.seq === next.seq);
    expect(operator.received((frame) => frame.type === 'entry' && frame.text === 'lost publish')).toHaveLength(1);
  });

  it('closes from the operator side: both sides see the closing notice and the closed state', async () => {
    const closed = await operator.request({ type: 'close', conversation_id: conversationId }, 'closed');
    expect(closed).toEqual({ type: 'closed', conversation_id: conversationId, outcome: 'answered' });
    expect(
      await visitorSocket.next((frame) => frame.type === 'entry' && frame.text === 'OPERATOR_CHAT_CLOSE'),
    ).toMatchObject({ kind: 'system' });
    expect(await visitorSocket.next('conversation')).toMatchObject({
      conversation: { id: conversationId, status: 'closed' },
    });
    const refused = await visitorSocket.request({ type: 'message', text: 'wait!' }, 'error');
    expect(refused).toMatchObject({ code: 'conflict', message: `Conversation ${conversationId} is closed.` });
  });
});

describe('a visitor with several tabs', () => {
  it('shows a conversation started in one tab in the others at once, and both tabs then see every entry', async () => {
    const bob = await newOperator('Bob', { chat_max_number: 2 });
    const operator = await availableOperator(bob.token);
    const first = await helloed();
    const vuid = String(first.welcome.vuid);
    const second = await helloed({ vuid });
    expect(second.welcome.conversation).toBeNull();
    const started = await first.socket.request(
      { type: 'start', text: 'Two tabs open', client_message_id: 'tab-1' },
      'started',
    );
    const conversationId = Number(started.conversation_id);
    // The other tab learns of it without a new hello: a `started` frame marked `elsewhere`, then the history.
    const elsewhere = await second.socket.next('started');
    expect(elsewhere).toMatchObject({
      conversation_id: conversationId,
      outcome: 'assigned',
      elsewhere: true,
      conversation: { id: conversationId, status: 'open' },
    });
    await eventually(() =>
      expect(entries(second.socket, conversationId).map((frame) => frame.text)).toContain('Two tabs open'),
    );
    expect(second.socket.received('ack')).toEqual([]);
    // The second tab writes into the same conversation; the operator's reply reaches both tabs once each.
    await second.socket.request({ type: 'message', text: 'From the other tab' }, 'ack');
    await operator.next((frame) => frame.type === 'entry' && frame.text === 'From the other tab');
    await operator.request({ type: 'reply', conversation_id: conversationId, text: 'Hello both' }, 'ack');
    for (const tab of [first.socket, second.socket]) {
      await eventually(() =>
        expect(entries(tab, conversationId).filter((frame) => frame.text === 'Hello both')).toHaveLength(1),
      );
    }
    // A tab of another visitor hears nothing.
    const stranger = await helloed();
    await first.socket.request({ type: 'close' }, 'closed');
    expect(stranger.socket.received('started')).toEqual([]);
    // After the close, a new start in one tab is taken up by the other, which was left on the ended one.
    const again = await second.socket.request({ type: 'start', text: 'One more question' }, 'started');
    const followed = await first.socket.next(
      (frame) => frame.type === 'started' && frame.conversation_id === again.conversation_id,
    );
    expect(followed).toMatchObject({ elsewhere: true });
  });
});

describe('identity verification', () => {
  it('accepts an external id signed with the website secret, and the visitor takes it', async () => {
    const secret = await websiteIdentitySecret(t.store.db, websiteId);
    if (secret === null) throw new Error('no secret');
    const { welcome } = await helloed({
      identity: { external_id: 'customer-42', email: 'c42@shop.example', hash: signIdentity(secret, 'customer-42') },
    });
    expect(welcome).toMatchObject({ type: 'welcome', identity: { external_id: 'customer-42', verified: true } });
    const stored = await t.store.db
      .selectFrom('visitor')
      .select(['external_id', 'email'])
      .where('unique_id', '=', String(welcome.vuid))
      .executeTakeFirstOrThrow();
    expect(stored).toEqual({ external_id: 'customer-42', email: 'c42@shop.example' });
    // On another browser, the same signed identity finds the same visitor.
    const other = await helloed({
      vuid: 'another-browser-0001',
      identity: { external_id: 'customer-42', hash: signIdentity(secret, 'customer-42') },
    });
    expect(other.welcome.vuid).toBe(welcome.vuid);
  });

  it('signs a merged contact in as the contact it was merged into, on any browser, and its browser too', async () => {
    const secret = await websiteIdentitySecret(t.store.db, websiteId);
    if (secret === null) throw new Error('no secret');
    const signed = (externalId: string) => ({ external_id: externalId, hash: signIdentity(secret, externalId) });
    const source = await helloed({ vuid: 'merge-source-browser', identity: signed('merge-source') });
    const target = await helloed({ vuid: 'merge-target-browser', identity: signed('merge-target') });
    const idOf = async (vuid: unknown) =>
      (
        await t.store.db
          .selectFrom('visitor')
          .select('id')
          .where('unique_id', '=', String(vuid))
          .executeTakeFirstOrThrow()
      ).id;
    const [sourceId, targetId] = [await idOf(source.welcome.vuid), await idOf(target.welcome.vuid)];
    // A conversation of the source's browser moves with the merge.
    const started = await source.socket.request({ type: 'start', text: 'Before the merge' }, 'started');
    const merged = await t.api('POST', `/visitor/${targetId}/merge`, { key, json: { from_id: sourceId } });
    expect(merged.status).toBe(200);
    // Both kept their external ids (the target had its own): the source's signed id now finds the target.
    const elsewhere = await helloed({ vuid: 'merge-third-browser', identity: signed('merge-source') });
    expect(elsewhere.welcome).toMatchObject({ type: 'welcome', vuid: target.welcome.vuid });
    // The source's own browser, signed in or not, reaches the conversation it started, now the target's.
    const again = await helloed({ vuid: source.welcome.vuid, identity: signed('merge-source') });
    expect(again.welcome).toMatchObject({ type: 'welcome', vuid: target.welcome.vuid });
    const anonymous = await helloed({
      vuid: source.welcome.vuid,
      conversation_id: started.conversation_id,
      last_seq: 0,
    });
    expect(anonymous.welcome).toMatchObject({ type: 'welcome', vuid: source.welcome.vuid });
    expect((anonymous.welcome.conversation as { id?: number } | null)?.id).toBe(started.conversation_id);
    const stillThere = await t.store.db
      .selectFrom('conversation')
      .select('visitor_id')
      .where('id', '=', Number(started.conversation_id))
      .executeTakeFirstOrThrow();
    expect(stillThere.visitor_id).toBe(targetId);
  });

  it('refuses a wrong signature with an error naming identity.hash, and the socket may say hello again', async () => {
    const { socket, welcome } = await helloed({ identity: { external_id: 'customer-42', hash: 'ab'.repeat(32) } });
    expect(welcome).toMatchObject({ type: 'error', code: 'identity_refused', field: 'identity.hash' });
    expect(String(welcome.message)).toContain("Value of field 'identity.hash' is not valid.");
    const anonymous = await socket.request({ type: 'hello', website_id: websiteId }, 'welcome');
    expect(anonymous.identity).toBeNull();
  });

  it('refuses an identity without its hash, naming the field', async () => {
    const { welcome } = await helloed({ identity: { external_id: 'x' } });
    expect(welcome).toMatchObject({
      type: 'error',
      code: 'field_missing',
      field: 'identity.hash',
      message: "Field 'identity.hash' is missing.",
    });
  });
});

describe('a visitor only reaches its own conversation', () => {
  it('answers not_found for the conversation of another visitor or website', async () => {
    const owner = await helloed();
    const started = await owner.socket.request({ type: 'start', text: 'mine' }, 'started');
    const intruder = await helloed({ conversation_id: started.conversation_id, last_seq: 0 });
    expect(intruder.welcome).toEqual({
      type: 'error',
      code: 'not_found',
      message: `Unknown 'conversation' with 'id' ${String(started.conversation_id)}.`,
      field: 'conversation_id',
    });
    const elsewhere = await visitor();
    const answer = await elsewhere.request(
      {
        type: 'hello',
        website_id: otherWebsiteId,
        vuid: String(owner.welcome.vuid),
        conversation_id: started.conversation_id,
      },
      'error',
    );
    expect(answer.code).toBe('not_found');
    const poke = await owner.socket.request({ type: 'message', conversation_id: 999_999, text: 'x' }, 'error');
    expect(poke).toMatchObject({ code: 'not_found', field: 'conversation_id' });
  });
});

describe('bad frames', () => {
  it('answers error frames and keeps the socket open', async () => {
    const socket = await visitor();
    socket.sendRaw('{not json');
    expect(await socket.next('error')).toMatchObject({ code: 'invalid_json' });
    socket.send({ text: 'no type' });
    expect(await socket.next('error')).toMatchObject({ code: 'field_missing', field: 'type' });
    socket.send({ type: 'dance' });
    expect(await socket.next('error')).toMatchObject({ code: 'unknown_type', field: 'type' });
    socket.send({ type: 'message', text: 'before hello' });
    expect(await socket.next('error')).toMatchObject({ code: 'hello_required' });
    socket.send({ type: 'hello', website_id: 'one' });
    expect(await socket.next('error')).toMatchObject({ code: 'field_invalid', field: 'website_id' });
    socket.send({ type: 'hello', website_id: 987_654 });
    expect(await socket.next('error')).toEqual({
      type: 'error',
      code: 'field_invalid',
      field: 'website_id',
      message: "Value of field 'website_id' is not valid. Unknown 'website' with 'id' 987654.",
    });
    socket.sendRaw(Buffer.from([1, 2, 3]));
    expect(await socket.next('error')).toMatchObject({ code: 'invalid_frame' });
    await socket.request({ type: 'hello', website_id: websiteId }, 'welcome');
    socket.send({ type: 'message' });
    expect(await socket.next('error')).toMatchObject({
      code: 'field_missing',
      field: 'text',
      message: "Field 'text' is missing.",
    });
    socket.send({ type: 'message', text: 'x' });
    expect(await socket.next('error')).toMatchObject({ code: 'no_conversation' });
    socket.send({ type: 'start', text: 'x'.repeat(20_001) });
    expect(await socket.next('error')).toMatchObject({ code: 'field_invalid', field: 'text' });
    expect(await socket.request({ type: 'ping' }, 'pong')).toEqual({ type: 'pong' });
  });

  it('closes a socket that sends a frame over 64 KB (1009), and only that socket', async () => {
    const socket = await visitor();
    const bystander = await visitor();
    socket.sendRaw(JSON.stringify({ type: 'ping', pad: 'x'.repeat(70_000) }));
    await new Promise<void>((resolve) => socket.socket.once('close', () => resolve()));
    expect(socket.closed?.code).toBe(1009);
    expect(await bystander.request({ type: 'ping' }, 'pong')).toEqual({ type: 'pong' });
  });

  it('limits the frame rate per socket with one error frame per second', async () => {
    const socket = await visitor();
    for (let index = 0; index < 100; index += 1) socket.send({ type: 'ping' });
    const limited = await socket.next('error');
    expect(limited).toMatchObject({ code: 'rate_limited' });
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(socket.received('pong').length).toBeLessThan(100);
    expect(socket.received('error')).toHaveLength(1);
  });

  it('refuses an operator socket without a valid session (401 before the upgrade)', async () => {
    await expect(RealtimeClient.open(`${base}/realtime/operator`)).rejects.toThrow('401');
    await expect(RealtimeClient.open(`${base}/realtime/operator?token=cos_nope`)).rejects.toThrow('401');
  });

  it("refuses a browser origin that is not the website's", async () => {
    const socket = await visitor({ origin: 'https://evil.example' });
    expect(await socket.request({ type: 'hello', website_id: websiteId }, 'error')).toMatchObject({
      code: 'origin_refused',
      field: 'website_id',
    });
    const shop = await visitor({ origin: 'https://www.shop.example' });
    expect(await shop.request({ type: 'hello', website_id: websiteId }, 'welcome')).toMatchObject({ type: 'welcome' });
  });
});

describe('frames are checked against their schema (frame-catalogue.ts)', () => {
  it('answers a ref longer than 64 characters with an error naming ref, and does not apply the frame', async () => {
    const socket = await visitor();
    socket.send({ type: 'hello', website_id: websiteId, ref: 'r'.repeat(65) });
    expect(await socket.next('error')).toEqual({
      type: 'error',
      code: 'field_invalid',
      field: 'ref',
      message: "Value of field 'ref' is not valid. It must be at most 64 characters long.",
    });
    // The hello was not applied: the socket still speaks for nobody.
    expect(await socket.request({ type: 'start', text: 'Hello', ref: 'after' }, 'error')).toMatchObject({
      code: 'hello_required',
      ref: 'after',
    });
    expect(socket.received('welcome')).toEqual([]);
    // 64 characters are accepted and echoed.
    const welcome = await socket.request({ type: 'hello', website_id: websiteId, ref: 'r'.repeat(64) }, 'welcome');
    expect(welcome.ref).toBe('r'.repeat(64));
  });

  it('keeps the ref on errors about a missing, non-string or unknown type', async () => {
    const socket = await visitor();
    expect(await socket.request({ ref: 'no-type', text: 'x' }, 'error')).toEqual({
      type: 'error',
      code: 'field_missing',
      field: 'type',
      message: "Field 'type' is missing.",
      ref: 'no-type',
    });
    expect(await socket.request({ type: 7, ref: 'number-type' }, 'error')).toEqual({
      type: 'error',
      code: 'field_invalid',
      field: 'type',
      message: "Value of field 'type' is not valid. Expected a string.",
      ref: 'number-type',
    });
    expect(await socket.request({ type: 'dance', ref: 'unknown-type' }, 'error')).toMatchObject({
      code: 'unknown_type',
      field: 'type',
      ref: 'unknown-type',
      message:
        "Unknown frame type 'dance'. A visitor sends hello, start, message, navigate, typing, read, close, satisfaction or ping.",
    });
  });

  it('names the field at fault, nested fields with a dot, and reads null as absent', async () => {
    const socket = await visitor();
    expect(
      await socket.request(
        { type: 'hello', website_id: websiteId, identity: { external_id: 'customer-7', hash: 7 }, ref: 'h1' },
        'error',
      ),
    ).toEqual({
      type: 'error',
      code: 'field_invalid',
      field: 'identity.hash',
      message: "Value of field 'identity.hash' is not valid. Expected a string.",
      ref: 'h1',
    });
    expect(await socket.request({ type: 'hello', website_id: websiteId, vuid: 'two words' }, 'error')).toMatchObject({
      field: 'vuid',
      message: "Value of field 'vuid' is not valid. It must not contain spaces.",
    });
    const welcome = await socket.request({ type: 'hello', website_id: websiteId, vuid: null, ref: null }, 'welcome');
    expect(welcome.ref).toBeUndefined();
    expect(await socket.request({ type: 'message', text: '   ' }, 'error')).toMatchObject({
      code: 'field_invalid',
      field: 'text',
      message: "Value of field 'text' is not valid. It must not be blank.",
    });
    const { token } = await newOperator('Schema');
    const operator = await operatorSocket(token);
    await operator.next('snapshot');
    expect(await operator.request({ type: 'reply', conversation_id: 'forty', text: 'x' }, 'error')).toEqual({
      type: 'error',
      code: 'field_invalid',
      field: 'conversation_id',
      message: "Value of field 'conversation_id' is not valid. Expected a whole number from 1 to 2147483647.",
    });
    expect(await operator.request({ type: 'hello', website_id: websiteId }, 'error')).toMatchObject({
      code: 'unknown_type',
      message:
        "Unknown frame type 'hello'. An operator sends availability, reply, note, transfer, close, read, typing, resume or ping.",
    });
  });
});

describe('hostile frames', () => {
  it('never close a socket nor produce an internal error, on either side', async () => {
    const { token } = await newOperator('Fuzz');
    const operator = await operatorSocket(token);
    await operator.next('snapshot');
    const { socket: visitorSide } = await helloed();
    // This test is about content, not volume: no rate limit for these two sockets.
    for (const connection of [...(gatewayOf(t.context)?.connections.values() ?? [])].slice(-2))
      connection.rate = { perSecond: 1e6, burst: 1e6 };
    const values: unknown[] = [
      null,
      true,
      false,
      -1,
      0,
      1.5,
      2 ** 31,
      2 ** 53,
      '',
      ' ',
      'x'.repeat(25_000),
      'a\u0000b',
      [],
      [1],
      {},
      { a: 1 },
      'javascript:1',
    ];
    const fields = [
      'website_id',
      'vuid',
      'identity',
      'conversation_id',
      'last_seq',
      'text',
      'client_message_id',
      'page_type',
      'skill_id',
      'on',
      'seq',
      'url',
      'chat',
      'call',
      'operator_id',
      'group_id',
      'ref',
    ];
    const visitorTypes = ['hello', 'start', 'message', 'typing', 'read', 'navigate', 'close', 'ping'];
    const operatorTypes = ['availability', 'reply', 'note', 'transfer', 'close', 'read', 'typing', 'resume', 'ping'];
    for (const [socket, types] of [
      [visitorSide, visitorTypes],
      [operator, operatorTypes],
    ] as const) {
      for (const type of types) {
        for (const field of fields) {
          for (const value of values) {
            socket.send({ type, [field]: value });
          }
        }
      }
      expect(await socket.request({ type: 'ping' }, 'pong', 20_000)).toEqual({ type: 'pong' });
      expect(socket.closed).toBeNull();
      expect(
        socket.received((frame) => frame.type === 'error' && ['internal', 'rate_limited'].includes(String(frame.code))),
      ).toEqual([]);
    }
  }, 60_000);
});

describe('keepalive', () => {
  it('keeps sockets that answer pings, and terminates one that did not answer the previous ping', async () => {
    const gateway = gatewayOf(t.context);
    if (gateway === undefined) throw new Error('no gateway');
    const answering = await visitor();
    const silent = await visitor();
    await answering.request({ type: 'hello', website_id: websiteId }, 'welcome');
    await silent.request({ type: 'hello', website_id: websiteId }, 'welcome');
    const [answeringConnection, silentConnection] = [...gateway.connections.values()].slice(-2);
    if (answeringConnection === undefined || silentConnection === undefined) throw new Error('no connections');
    gateway.keepalive();
    // The ws client answers the ping by itself: alive again before the next sweep.
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(answeringConnection.alive).toBe(true);
    // A peer that vanished: its pong never came back.
    silentConnection.alive = false;
    gateway.keepalive();
    await eventually(() => expect(gateway.connections.has(silentConnection.socket)).toBe(false));
    expect(silent.closed?.code).toBe(1006);
    expect(await answering.request({ type: 'ping' }, 'pong')).toEqual({ type: 'pong' });
  });
});

describe('the REST API and the sockets', () => {
  it('delivers a message posted through the API to the sockets, and serves the queue when an operator becomes available over the API', async () => {
    // A website of its own, served by Bob alone, connected but not yet available: a new visitor waits.
    const site = await t.api('POST', '/website', { key, json: { url: 'https://bridge.example' } });
    const bridgeSite = Number(site.body.data.id);
    const created = await t.api('POST', '/operator', {
      key,
      json: {
        name: 'Bob',
        email: 'bob@bridge.example',
        password: 'bridge-secret',
        chat_max_number: 1,
        website_list: [bridgeSite],
      },
    });
    const login = await t.app.inject({
      method: 'POST',
      url: '/auth/login',
      payload: { email: 'bob@bridge.example', password: 'bridge-secret' },
    });
    const bob = {
      id: Number(created.body.data.id),
      token: String(login.json<{ data: { token: string } }>().data.token),
    };
    const bobSocket = await operatorSocket(bob.token);
    await bobSocket.next('snapshot');
    const socket = await visitor({ origin: 'https://bridge.example' });
    await socket.request({ type: 'hello', website_id: bridgeSite }, 'welcome');
    // Bob is connected but unavailable: nobody available means offline, so make him available, busy him, then queue.
    expect((await t.api('PUT', `/operator/${bob.id}/live`, { key, json: { chat: { available: 1 } } })).status).toBe(
      200,
    );
    const first = await socket.request({ type: 'start', text: 'First visitor', client_message_id: 'b-1' }, 'started');
    expect(first.outcome).toBe('assigned');
    const second = await visitor({ origin: 'https://bridge.example' });
    await second.request({ type: 'hello', website_id: bridgeSite }, 'welcome');
    const queued = await second.request({ type: 'start', text: 'Second visitor', client_message_id: 'b-2' }, 'started');
    expect(queued.outcome).toBe('queued');
    // The first conversation is closed through the API: the queue is served and both sides hear of it.
    const closed = await t.api('POST', `/conversation/${Number(first.conversation_id)}/close`, { key, json: {} });
    expect(closed.status, JSON.stringify(closed.body)).toBe(200);
    const posted = await t.api('POST', `/conversation/${Number(first.conversation_id)}/message`, {
      key,
      json: { type: 'system', text: 'after close' },
    });
    expect(posted.status).toBe(409);
    const conversationId = Number(queued.conversation_id);
    const sent = await t.api('POST', `/conversation/${conversationId}/message`, {
      key,
      json: { type: 'note', text: 'CRM note', operator_id: bob.id },
    });
    expect(sent.status, JSON.stringify(sent.body)).toBe(200);
    await bobSocket.next((frame) => frame.type === 'entry' && frame.text === 'CRM note');
    const posted2 = await t.api('POST', `/conversation/${conversationId}/message`, {
      key,
      json: { type: 'operator', text: 'Posted by the CRM', operator_id: bob.id },
    });
    const entry = await second.next((frame) => frame.type === 'entry' && frame.text === 'Posted by the CRM');
    expect(entry.seq).toBe(posted2.body.data.seq);
  });
});
