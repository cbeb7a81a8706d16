// The visitor's HTTP fallback beyond messages: the survey, typing both ways, read positions both ways, and the offline
// form's email stored on the visitor (over HTTP and on the socket).
import type { AddressInfo } from 'node:net';
import { availableOperator } from '@causerie/test-support/live-sockets';
import { startRedis } from '@causerie/test-support/processes';
import { type Frame, RealtimeClient } from '@causerie/test-support/realtime-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientWithKey, eventTypesFor, startTestApp, type TestApp } from '../test/harness.js';
import { LocalBus, RedisBus } from './bus.js';
import { OperatorTypingMemory } from './typing-memory.js';

let t: TestApp;
let base: string;
let key: string;
const sockets: RealtimeClient[] = [];

interface Answer {
  status: number;
  body: { meta: { status: string; message?: string }; data: Record<string, unknown> };
}

async function post(path: string, payload: Record<string, unknown>): Promise<Answer> {
  const answer = await t.app.inject({ method: 'POST', url: `/realtime/visitor/${path}`, payload });
  return { status: answer.statusCode, body: answer.json() };
}

async function poll(site: number, vuid: string, conversationId: number): Promise<Answer['body']['data']> {
  const answer = await t.app.inject({
    method: 'GET',
    url: `/realtime/visitor/messages?website_id=${site}&vuid=${vuid}&conversation_id=${conversationId}`,
  });
  expect(answer.statusCode).toBe(200);
  return answer.json<Answer['body']>().data;
}

async function newSite(name: string): Promise<number> {
  return (await t.api('POST', '/website', { key, json: { url: `https://${name}.example` } })).body.data.id;
}

/** An available operator of the site, on a socket. */
async function newOperator(name: string, site: number): Promise<{ id: number; socket: RealtimeClient }> {
  const email = `${name.toLowerCase()}@fallback.example`;
  const created = await t.api('POST', '/operator', {
    key,
    json: { name, email, password: 'fallback-secret', website_list: [site], chat_max_number: 5 },
  });
  if (created.status !== 200) throw new Error(JSON.stringify(created.body));
  const login = await t.app.inject({
    method: 'POST',
    url: '/auth/login',
    payload: { email, password: 'fallback-secret' },
  });
  const socket = await availableOperator(base, login.json<{ data: { token: string } }>().data.token);
  sockets.push(socket);
  return { id: created.body.data.id, socket };
}

/** A visitor who started a conversation over HTTP. */
async function httpVisitor(
  site: number,
  text: string,
  extra: Record<string, unknown> = {},
): Promise<{ vuid: string; conversationId: number; outcome: unknown }> {
  const sent = await post('messages', { website_id: site, text, client_message_id: `c-${text}`, ...extra });
  expect(sent.status, JSON.stringify(sent.body)).toBe(200);
  return {
    vuid: String(sent.body.data.vuid),
    conversationId: Number(sent.body.data.conversation_id),
    outcome: sent.body.data.outcome,
  };
}

async function visitorRow(vuid: string) {
  return t.store.db
    .selectFrom('visitor')
    .select(['id', 'email'])
    .where('unique_id', '=', vuid)
    .executeTakeFirstOrThrow();
}

/** The v2 error envelope: the seed's status and message, the error id and the field at fault. */
const failure = (message: string, error: string, field?: string) => ({
  meta: { status: 'fail', message, error, ...(field !== undefined && { field }) },
});

beforeAll(async () => {
  t = await startTestApp();
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
  ({ key } = await clientWithKey(t, 'Fallback Co'));
});

afterAll(async () => {
  await Promise.all(sockets.map((socket) => socket.close()));
  await t.close();
});

describe('POST /realtime/visitor/satisfaction', () => {
  let site: number;
  let visitor: { vuid: string; conversationId: number };

  beforeAll(async () => {
    site = await newSite('survey-http');
    // Nobody is available: the conversation is missed at once and may still be rated.
    visitor = await httpVisitor(site, 'Anyone there?');
  });

  it('refuses bad notes and comments with 400 naming the field, like the socket frame', async () => {
    const answer = (fields: Record<string, unknown>) =>
      post('satisfaction', {
        website_id: site,
        vuid: visitor.vuid,
        conversation_id: visitor.conversationId,
        note_welcome: 3,
        note_delay: 2,
        note_resolution: 3,
        ...fields,
      });
    const outOfRange = await answer({ note_welcome: 4 });
    expect(outOfRange).toEqual({
      status: 400,
      body: failure(
        "Value of field 'note_welcome' is not valid. Expected a whole number from 1 to 3 (3 is the most satisfied).",
        'field_invalid',
        'note_welcome',
      ),
    });
    const missing = await post('satisfaction', {
      website_id: site,
      vuid: visitor.vuid,
      conversation_id: visitor.conversationId,
      note_welcome: 3,
      note_resolution: 3,
    });
    expect(missing).toEqual({
      status: 400,
      body: failure("Field 'note_delay' is missing.", 'field_missing', 'note_delay'),
    });
    expect((await answer({ comment: 'x'.repeat(2001) })).body.meta.message).toBe(
      "Value of field 'comment' is not valid. It must be at most 2000 characters long.",
    );
    expect((await answer({ note_resolution: 1.5 })).body.meta.message).toMatch(
      /^Value of field 'note_resolution' is not valid\./,
    );
  });

  it("records the visitor's answer, visible in GET /api/2/satisfaction, with its event, once", async () => {
    const recorded = await post('satisfaction', {
      website_id: site,
      vuid: visitor.vuid,
      conversation_id: visitor.conversationId,
      note_welcome: 3,
      note_delay: 2,
      note_resolution: 1,
      comment: 'Quick & kind',
    });
    expect(recorded).toEqual({
      status: 200,
      body: {
        meta: { status: 'success' },
        data: { conversation_id: visitor.conversationId, satisfaction_id: expect.any(Number) },
      },
    });
    const satisfactionId = Number(recorded.body.data.satisfaction_id);
    const listed = await t.api('GET', `/satisfaction?full=1&filters%5Bconversation_id%5D=${visitor.conversationId}`, {
      key,
    });
    expect(listed.body.data).toEqual([
      expect.objectContaining({
        id: satisfactionId,
        conversation_id: visitor.conversationId,
        website_id: site,
        note_welcome: 1,
        note_delay: 0.67,
        note_resolution: 0.33,
        comment: 'Quick & kind',
      }),
    ]);
    expect(await eventTypesFor(t, 'satisfaction', satisfactionId)).toEqual(['satisfaction.filled']);
    const again = await post('satisfaction', {
      website_id: site,
      vuid: visitor.vuid,
      conversation_id: visitor.conversationId,
      note_welcome: 1,
      note_delay: 1,
      note_resolution: 1,
    });
    expect(again.status).toBe(409);
    expect(again.body.meta.message).toBe(`Conversation ${visitor.conversationId} already has a satisfaction answer.`);
  });

  it("refuses another visitor's conversation, and a vuid never stored, as not found", async () => {
    const stranger = await httpVisitor(site, 'Me too');
    const notes = { note_welcome: 3, note_delay: 3, note_resolution: 3 };
    const refused = await post('satisfaction', {
      website_id: site,
      vuid: stranger.vuid,
      conversation_id: visitor.conversationId,
      ...notes,
    });
    expect(refused).toEqual({
      status: 404,
      body: failure(`Unknown 'conversation' with 'id' ${visitor.conversationId}.`, 'not_found'),
    });
    expect(
      (
        await post('satisfaction', {
          website_id: site,
          vuid: 'never-stored',
          conversation_id: stranger.conversationId,
          ...notes,
        })
      ).status,
    ).toBe(404);
    // The right visitor on another website of the same client: not theirs there.
    const other = await newSite('survey-other');
    expect(
      (
        await post('satisfaction', {
          website_id: other,
          vuid: stranger.vuid,
          conversation_id: stranger.conversationId,
          ...notes,
        })
      ).status,
    ).toBe(404);
    const unknownSite = await post('satisfaction', {
      website_id: 999_999,
      vuid: stranger.vuid,
      conversation_id: stranger.conversationId,
      ...notes,
    });
    expect(unknownSite).toEqual({
      status: 400,
      body: failure(
        "Value of field 'website_id' is not valid. Unknown 'website' with 'id' 999999.",
        'field_invalid',
        'website_id',
      ),
    });
  });
});

describe('typing and read over the fallback', () => {
  let site: number;
  let operator: { id: number; socket: RealtimeClient };
  let visitor: { vuid: string; conversationId: number; outcome: unknown };

  beforeAll(async () => {
    site = await newSite('typing-http');
    operator = await newOperator('Tia', site);
    visitor = await httpVisitor(site, 'Hello from behind a proxy');
    expect(visitor.outcome).toBe('assigned');
    await operator.socket.next(
      (frame) => frame.type === 'assigned' && (frame.conversation as { id: number }).id === visitor.conversationId,
    );
  });

  it("sends the visitor's typing to the operator socket", async () => {
    const isTyping = (on: boolean) => (frame: Frame) =>
      frame.type === 'typing' && frame.conversation_id === visitor.conversationId && frame.on === on;
    const shown = operator.socket.next(isTyping(true));
    const answer = await post('typing', {
      website_id: site,
      vuid: visitor.vuid,
      conversation_id: visitor.conversationId,
      on: true,
    });
    expect(answer).toEqual({
      status: 200,
      body: { meta: { status: 'success' }, data: { conversation_id: visitor.conversationId, on: true } },
    });
    expect(await shown).toEqual({ type: 'typing', conversation_id: visitor.conversationId, on: true });
    const stopped = operator.socket.next(isTyping(false));
    await post('typing', { website_id: site, vuid: visitor.vuid, conversation_id: visitor.conversationId, on: false });
    await stopped;
  });

  it("shows the operator's typing in the poll until they stop or send their message", async () => {
    expect((await poll(site, visitor.vuid, visitor.conversationId)).operator_typing).toBe(false);
    operator.socket.send({ type: 'typing', conversation_id: visitor.conversationId, on: true });
    await expect.poll(async () => (await poll(site, visitor.vuid, visitor.conversationId)).operator_typing).toBe(true);
    operator.socket.send({ type: 'typing', conversation_id: visitor.conversationId, on: false });
    await expect.poll(async () => (await poll(site, visitor.vuid, visitor.conversationId)).operator_typing).toBe(false);
    operator.socket.send({ type: 'typing', conversation_id: visitor.conversationId, on: true });
    await expect.poll(async () => (await poll(site, visitor.vuid, visitor.conversationId)).operator_typing).toBe(true);
    await operator.socket.request(
      { type: 'reply', conversation_id: visitor.conversationId, text: 'Hi! How can I help?' },
      'ack',
    );
    expect((await poll(site, visitor.vuid, visitor.conversationId)).operator_typing).toBe(false);
  });

  it("moves the visitor's read position (the operator gets `read`), and shows the operator's in the poll", async () => {
    const state = await poll(site, visitor.vuid, visitor.conversationId);
    const lastSeq = (state.conversation as { last_seq: number }).last_seq;
    const seen = operator.socket.next(
      (frame) => frame.type === 'read' && frame.conversation_id === visitor.conversationId,
    );
    const read = await post('read', {
      website_id: site,
      vuid: visitor.vuid,
      conversation_id: visitor.conversationId,
      seq: lastSeq + 50,
    });
    // Never past the last entry.
    expect(read).toEqual({
      status: 200,
      body: {
        meta: { status: 'success' },
        data: { conversation_id: visitor.conversationId, visitor_read_seq: lastSeq },
      },
    });
    expect(await seen).toEqual({ type: 'read', conversation_id: visitor.conversationId, by: 'visitor', seq: lastSeq });
    // Never backward.
    expect(
      (await post('read', { website_id: site, vuid: visitor.vuid, conversation_id: visitor.conversationId, seq: 1 }))
        .body.data.visitor_read_seq,
    ).toBe(lastSeq);
    const stored = await t.store.db
      .selectFrom('conversation')
      .select('visitor_read_seq')
      .where('id', '=', visitor.conversationId)
      .executeTakeFirstOrThrow();
    expect(Number(stored.visitor_read_seq)).toBe(lastSeq);

    expect((state.conversation as { operator_read_seq: number }).operator_read_seq).toBe(0);
    await post('messages', {
      website_id: site,
      vuid: visitor.vuid,
      text: 'My order is late',
      client_message_id: 'late-1',
    });
    const mine = (await poll(site, visitor.vuid, visitor.conversationId)).conversation as { last_seq: number };
    operator.socket.send({ type: 'read', conversation_id: visitor.conversationId, seq: mine.last_seq });
    await expect
      .poll(
        async () =>
          ((await poll(site, visitor.vuid, visitor.conversationId)).conversation as { operator_read_seq: number })
            .operator_read_seq,
      )
      .toBe(mine.last_seq);
  });

  it("refuses another visitor's conversation and bad values, naming the field", async () => {
    const stranger = await httpVisitor(site, 'Someone else');
    for (const [path, extra] of [
      ['typing', { on: true }],
      ['read', { seq: 1 }],
    ] as const) {
      const refused = await post(path, {
        website_id: site,
        vuid: stranger.vuid,
        conversation_id: visitor.conversationId,
        ...extra,
      });
      expect(refused).toEqual({
        status: 404,
        body: failure(`Unknown 'conversation' with 'id' ${visitor.conversationId}.`, 'not_found'),
      });
    }
    const own = { website_id: site, vuid: visitor.vuid, conversation_id: visitor.conversationId };
    expect(await post('typing', { ...own, on: 'maybe' })).toEqual({
      status: 400,
      body: failure("Value of field 'on' is not valid. Expected true or false (1 or 0).", 'field_invalid', 'on'),
    });
    expect(await post('typing', { website_id: site, vuid: visitor.vuid, on: true })).toEqual({
      status: 400,
      body: failure("Field 'conversation_id' is missing.", 'field_missing', 'conversation_id'),
    });
    expect(await post('read', { ...own, seq: -1 })).toEqual({
      status: 400,
      body: failure("Value of field 'seq' is not valid. Expected a whole number from 0.", 'field_invalid', 'seq'),
    });
    expect(await post('read', own)).toEqual({
      status: 400,
      body: failure("Field 'seq' is missing.", 'field_missing', 'seq'),
    });
    expect((await post('read', { ...own, seq: 1, extra: 1 })).status).toBe(400);
  });

  it('refuses typing into a closed conversation', async () => {
    const closing = await httpVisitor(site, 'Quick question');
    await operator.socket.next(
      (frame) => frame.type === 'assigned' && (frame.conversation as { id: number }).id === closing.conversationId,
    );
    await operator.socket.request(
      { type: 'close', conversation_id: closing.conversationId },
      (frame) => frame.type === 'closed' || frame.type === 'error',
    );
    const refused = await post('typing', {
      website_id: site,
      vuid: closing.vuid,
      conversation_id: closing.conversationId,
      on: true,
    });
    expect(refused).toEqual({
      status: 409,
      body: failure(`Conversation ${closing.conversationId} is closed.`, 'conflict'),
    });
    expect((await poll(site, closing.vuid, closing.conversationId)).operator_typing).toBe(false);
  });
});

describe("the offline form's email", () => {
  let site: number;

  beforeAll(async () => {
    site = await newSite('offline-email');
  });

  it('is stored on the visitor over HTTP, with visitor.updated, visible in GET /api/2/visitor/{id}', async () => {
    const left = await httpVisitor(site, 'Please call me back', {
      email: 'julie@shop.example',
      page_type: 'offline_form',
    });
    expect(left.outcome).toBe('offline');
    const row = await visitorRow(left.vuid);
    expect(row.email).toBe('julie@shop.example');
    const shown = await t.api('GET', `/visitor/${row.id}`, { key });
    expect(shown.body.data).toMatchObject({ id: row.id, unique_id: left.vuid, email: 'julie@shop.example' });
    expect(await eventTypesFor(t, 'visitor', row.id)).toEqual(['visitor.created', 'visitor.updated']);
    // The form resent (same client id): nothing new, no second event.
    const again = await post('messages', {
      website_id: site,
      vuid: left.vuid,
      text: 'Please call me back',
      client_message_id: 'c-Please call me back',
      email: 'julie@shop.example',
    });
    expect(again.body.data).toMatchObject({ conversation_id: left.conversationId, duplicate: true });
    expect(await eventTypesFor(t, 'visitor', row.id)).toEqual(['visitor.created', 'visitor.updated']);
  });

  it('refuses a bad email with 400 naming it, storing nothing', async () => {
    const before = await t.store.db
      .selectFrom('conversation')
      .select((eb) => eb.fn.countAll().as('n'))
      .where('website_id', '=', site)
      .executeTakeFirstOrThrow();
    for (const email of ['not-an-email', 'a b@c.d', 'julie@shop', '', 'x'.repeat(250) + '@a.fr']) {
      const refused = await post('messages', { website_id: site, text: 'hello', email });
      expect(refused.status, email).toBe(400);
      expect(refused.body.meta.message, email).toMatch(/^Value of field 'email' is not valid\./);
    }
    expect((await post('messages', { website_id: site, text: 'hello', email: 'nope' })).body).toEqual(
      failure(
        "Value of field 'email' is not valid. Expected an email address, such as 'julie@shop.example'.",
        'field_invalid',
        'email',
      ),
    );
    const after = await t.store.db
      .selectFrom('conversation')
      .select((eb) => eb.fn.countAll().as('n'))
      .where('website_id', '=', site)
      .executeTakeFirstOrThrow();
    expect(Number(after.n)).toBe(Number(before.n));
  });

  it('is stored on the visitor from the socket start frame too, and a bad one is refused naming `email`', async () => {
    const socket = await RealtimeClient.open(`${base.replace(/^http/, 'ws')}/realtime/visitor`);
    sockets.push(socket);
    const welcome = await socket.request({ type: 'hello', website_id: site }, 'welcome');
    const refused = await socket.request(
      { type: 'start', text: 'Call me', email: 'nope', page_type: 'offline_form' },
      'error',
    );
    expect(refused).toEqual({
      type: 'error',
      code: 'field_invalid',
      field: 'email',
      message: "Value of field 'email' is not valid. Expected an email address, such as 'julie@shop.example'.",
    });
    // Nothing written: a hello and a refused start leave no visitor.
    expect(
      await t.store.db
        .selectFrom('visitor')
        .select('id')
        .where('unique_id', '=', String(welcome.vuid))
        .executeTakeFirst(),
    ).toBeUndefined();
    const started = await socket.request(
      {
        type: 'start',
        text: 'Call me',
        email: 'max@shop.example',
        client_message_id: 'o-1',
        page_type: 'offline_form',
      },
      'started',
    );
    expect(started.outcome).toBe('offline');
    const row = await visitorRow(String(welcome.vuid));
    expect(row.email).toBe('max@shop.example');
    expect(await eventTypesFor(t, 'visitor', row.id)).toEqual(['visitor.created', 'visitor.updated']);
  });
});

describe('the fallback routes under hostile input', () => {
  it('never answer 5xx, and always the envelope with a message', async () => {
    const site = await newSite('hostile-http');
    const visitor = await httpVisitor(site, 'hostile');
    const values: unknown[] = [null, true, -1, 0, 1.5, 4, 2 ** 31, '', ' ', '3', 'x'.repeat(3000), 'a\u0000b', [], {}];
    const bases: Record<string, Record<string, unknown>> = {
      typing: { on: true },
      read: { seq: 1 },
      satisfaction: { note_welcome: 3, note_delay: 3, note_resolution: 3, comment: 'ok' },
    };
    for (const [path, extra] of Object.entries(bases)) {
      const valid = { website_id: site, vuid: visitor.vuid, conversation_id: visitor.conversationId, ...extra };
      for (const field of Object.keys(valid)) {
        for (const value of values) {
          const answer = await post(path, { ...valid, [field]: value });
          expect(answer.status, `${path} ${field}=${JSON.stringify(value)?.slice(0, 40)}`).toBeLessThan(500);
          if (answer.status >= 400) expect(answer.body.meta.message).toMatch(/\S/);
        }
      }
    }
  });
});

describe('OperatorTypingMemory', () => {
  it('follows polled conversations, forgets typing after 30 s without news, and idle conversations after a minute', () => {
    const bus = new LocalBus();
    let now = 1_000_000;
    const memory = new OperatorTypingMemory(bus, () => now);
    expect(memory.poll(7)).toBe(false);
    bus.publish('conv:7', { t: 'typing', c: 7, by: 'visitor', on: true });
    expect(memory.poll(7)).toBe(false);
    bus.publish('conv:7', { t: 'typing', c: 7, by: 'operator', on: true });
    expect(memory.poll(7)).toBe(true);
    now += 29_000;
    expect(memory.poll(7)).toBe(true);
    now += 2_000;
    expect(memory.poll(7)).toBe(false);
    bus.publish('conv:7', { t: 'typing', c: 7, by: 'operator', on: true });
    bus.publish('conv:7', {
      t: 'state',
      c: 7,
      s: {
        id: 7,
        websiteId: 1,
        visitorId: 1,
        status: 'closed',
        operatorId: 1,
        operatorName: 'A',
        skillId: null,
        outcome: 'answered',
        lastSeq: 3,
      },
    });
    expect(memory.poll(7)).toBe(false);
    expect(memory.poll(8)).toBe(false);
    expect(memory.size).toBe(2);
    now += 61_000;
    memory.poll(8);
    // Conversation 7 was not polled for a minute: no longer followed (its typing is no longer heard).
    expect(memory.size).toBe(1);
    bus.publish('conv:7', { t: 'typing', c: 7, by: 'operator', on: true });
    expect(memory.poll(7)).toBe(false);
  });
});

describe('OperatorTypingMemory across nodes', () => {
  it("hears an operator typing on another node through the Redis bus, from the node's first poll of the conversation on", async () => {
    const redis = await startRedis();
    const operatorNode = new RedisBus(redis.url);
    const pollingNode = new RedisBus(redis.url);
    try {
      const memory = new OperatorTypingMemory(pollingNode);
      // The first poll on this node starts listening; typing published before it is not known.
      expect(memory.poll(5)).toBe(false);
      await expect
        .poll(() => {
          operatorNode.publish('conv:5', { t: 'typing', c: 5, by: 'operator', on: true });
          return memory.poll(5);
        })
        .toBe(true);
      operatorNode.publish('conv:5', { t: 'typing', c: 5, by: 'operator', on: false });
      await expect.poll(() => memory.poll(5)).toBe(false);
    } finally {
      await operatorNode.close();
      await pollingNode.close();
      await redis.stop('SIGKILL');
    }
  });
});
