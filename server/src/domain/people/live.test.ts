// Operator live availability (seed 003 "Get/Set operator's live availability") and the presence commands, on a real database.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConversationChannel, ConversationStatus } from '../../db/schema.js';
import { ApiError } from '../../errors.js';
import {
  clientWithKey,
  eventTypesFor,
  partnerWithKey,
  type Resource,
  startTestApp,
  type TestApp,
} from '../../test/harness.js';
import { changeOperatorLive, connectOperator, disconnectOperator } from './presence.js';

let t: TestApp;
let key: string;
let clientId: number;
let otherKey: string;
let otherClientId: number;
let websiteId: number;
let visitorId: number;

let counter = 0;

async function operator(extra: Record<string, unknown> = {}, as: string = key): Promise<Resource> {
  counter += 1;
  const answer = await t.api('POST', '/operator', {
    key: as,
    json: { name: `Live ${counter}`, email: `live.${counter}@live.example`, ...extra },
  });
  if (answer.status !== 200) throw new Error(`operator create failed: ${JSON.stringify(answer.body)}`);
  return answer.body.data;
}

/** Conversations are written directly: this suite tests how they are counted, not how they are started. */
async function conversation(
  operatorId: number | null,
  channel: ConversationChannel,
  status: ConversationStatus,
): Promise<number> {
  const at = new Date().toISOString();
  counter += 1;
  const row = await t.store.db
    .insertInto('conversation')
    .values({
      client_id: clientId,
      website_id: websiteId,
      channel,
      source: 'web',
      visitor_id: visitorId,
      operator_id: operatorId,
      skill_id: null,
      rule_id: null,
      status,
      xmpp_id: `live-${counter}`,
      created_at: at,
      updated_at: at,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

async function sessionsOf(operatorId: number) {
  return t.store.db
    .selectFrom('presence_session')
    .selectAll()
    .where('operator_id', '=', operatorId)
    .orderBy('id')
    .execute();
}

async function flagsOf(operatorId: number) {
  return t.store.db
    .selectFrom('operator')
    .select(['connected', 'chat_available', 'call_available', 'video_available'])
    .where('id', '=', operatorId)
    .executeTakeFirstOrThrow();
}

async function eventPayloads(operatorId: number, type: string): Promise<unknown[]> {
  const rows = await t.store.db
    .selectFrom('event')
    .select('payload')
    .where('subject_type', '=', 'operator')
    .where('subject_id', '=', operatorId)
    .where('type', '=', type)
    .orderBy('id')
    .execute();
  return rows.map((row) => JSON.parse(row.payload) as unknown);
}

type CallBody = { json?: unknown; form?: string };

const idle = (slotMax: number, enabled: boolean) => ({
  enabled,
  slot_number: 0,
  slot_max_number: slotMax,
  busy: false,
  available: false,
});

beforeAll(async () => {
  t = await startTestApp();
  ({ key, clientId } = await clientWithKey(t, 'Live Co'));
  ({ key: otherKey, clientId: otherClientId } = await clientWithKey(t, 'Other Live Co'));
  const site = await t.api('POST', '/website', { key, json: { url: 'https://live.example' } });
  websiteId = site.body.data.id;
  const at = new Date().toISOString();
  visitorId = (
    await t.store.db
      .insertInto('visitor')
      .values({ client_id: clientId, unique_id: 'live-visitor', created_at: at, updated_at: at })
      .returning('id')
      .executeTakeFirstOrThrow()
  ).id;
});
afterAll(async () => t.close());

describe('GET /operator/{id}/live', () => {
  it('answers exactly the seed shape for a new operator', async () => {
    const op = await operator({ chat_max_number: 4 });
    const answer = await t.api('GET', `/operator/${op.id}/live`, { key });
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({
      meta: { status: 'success' },
      data: { id: op.id, connected: false, chat: idle(4, true), call: idle(1, false), video: idle(1, false) },
    });
  });

  it('counts open and waiting conversations per channel as slots, and is busy when they are full', async () => {
    const op = await operator({ chat_max_number: 2, call_enabled: true, video_enabled: true });
    const other = await operator();
    await conversation(op.id, 'chat', 'open');
    await conversation(op.id, 'chat', 'waiting');
    await conversation(op.id, 'chat', 'closed');
    await conversation(op.id, 'call', 'open');
    await conversation(op.id, 'video', 'closed');
    await conversation(op.id, 'social', 'open');
    await conversation(other.id, 'chat', 'open');
    await conversation(null, 'video', 'waiting');
    const answer = await t.api('GET', `/operator/${op.id}/live`, { key });
    expect(answer.body.data).toEqual({
      id: op.id,
      connected: false,
      chat: { enabled: true, slot_number: 2, slot_max_number: 2, busy: true, available: false },
      call: { enabled: true, slot_number: 1, slot_max_number: 1, busy: true, available: false },
      video: { enabled: true, slot_number: 0, slot_max_number: 1, busy: false, available: false },
    });
    const otherLive = await t.api('GET', `/operator/${other.id}/live`, { key });
    expect(otherLive.body.data).toMatchObject({ chat: { slot_number: 1, slot_max_number: 2, busy: false } });
  });

  it("answers 404 for another client's operator, a deleted one and an absent one", async () => {
    const mine = await operator();
    const foreign = await t.api('GET', `/operator/${mine.id}/live`, { key: otherKey });
    expect(foreign.status).toBe(404);
    expect(foreign.body.meta).toMatchObject({ status: 'fail', message: `Unknown 'operator' with 'id' ${mine.id}.` });
    await t.api('DELETE', `/operator/${mine.id}`, { key });
    expect((await t.api('GET', `/operator/${mine.id}/live`, { key })).status).toBe(404);
    expect((await t.api('GET', '/operator/999999/live', { key })).body.meta.message).toBe(
      "Unknown 'operator' with 'id' 999999.",
    );
  });
});

describe('GET /operator/live', () => {
  it('is not taken for /operator/:id and lists every full live item of the key only, paged on request', async () => {
    const listing = await clientWithKey(t, 'Listing Only Co');
    const first = await operator({}, listing.key);
    const second = await operator({ call_enabled: true }, listing.key);
    await operator({}, otherKey);
    const answer = await t.api('GET', '/operator/live', { key: listing.key });
    expect(answer.status).toBe(200);
    expect(answer.body.data).toEqual([
      { id: second.id, connected: false, chat: idle(2, true), call: idle(1, true), video: idle(1, false) },
      { id: first.id, connected: false, chat: idle(2, true), call: idle(1, false), video: idle(1, false) },
    ]);
    // Seed 003's answer is {meta, data}: the whole team, no pagination unless page or limit is asked for.
    expect(Object.keys(answer.body).sort()).toEqual(['data', 'meta']);
    const paged = await t.api('GET', '/operator/live?limit=1&page=2', { key: listing.key });
    expect(paged.body.data.map((item) => item.id)).toEqual([first.id]);
    expect(paged.body.pagination).toEqual({ page: 2, pages: 2, limit: 1, count: 2 });
  });

  it('takes the filters of GET /operator', async () => {
    const listing = await clientWithKey(t, 'Filter Live Co');
    const online = await operator({ name: 'Online Julie' }, listing.key);
    const offline = await operator({ name: 'Offline Marc' }, listing.key);
    await connectOperator(t.store.db, listing.clientId, online.id);
    const connected = await t.api('GET', '/operator/live?filters[connected]=1', { key: listing.key });
    expect(connected.body.data.map((item) => item.id)).toEqual([online.id]);
    expect(connected.body.data[0]?.connected).toBe(true);
    const byName = await t.api('GET', '/operator/live?filters[name]=*marc*', { key: listing.key });
    expect(byName.body.data.map((item) => item.id)).toEqual([offline.id]);
    const unknown = await t.api('GET', '/operator/live?filters[colour]=red', { key: listing.key });
    expect(unknown.status).toBe(400);
    expect(unknown.body.meta.message).toMatch(/^Filter 'colour' is not supported for 'operator'\./);
    const bad = await t.api('GET', '/operator/live?filters[connected]=maybe', { key: listing.key });
    expect(bad.body.meta.message).toBe("Value of field 'filters[connected]' is not valid. Expected 0 or 1.");
  });
});

describe('PUT /operator/{id}/live', () => {
  it('makes a disconnected operator available for chat (form body): connects them, opens a session, emits events', async () => {
    const op = await operator();
    const answer = await t.api('PUT', `/operator/${op.id}/live`, { key, form: 'chat[available]=1' });
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({
      meta: { status: 'success', message: 'Operator is now available for chat channel.' },
    });
    expect(await eventTypesFor(t, 'operator', op.id)).toEqual([
      'user.created',
      'user.connected',
      'user.availability_changed',
    ]);
    const sessions = await sessionsOf(op.id);
    expect(sessions).toHaveLength(1);
    expect(sessions[0]).toMatchObject({ client_id: clientId, operator_id: op.id, ended_at: null });
    expect(await eventPayloads(op.id, 'user.connected')).toEqual([
      { userId: op.id, operatorId: op.id, sessionId: sessions[0]?.id },
    ]);
    expect(await eventPayloads(op.id, 'user.availability_changed')).toEqual([
      { userId: op.id, operatorId: op.id, channel: 'chat', available: true },
    ]);
    const live = await t.api('GET', `/operator/${op.id}/live`, { key });
    expect(live.body.data).toMatchObject({ connected: true, chat: { available: true }, call: { available: false } });
    const read = await t.api('GET', `/operator/${op.id}`, { key });
    expect(read.body.data.connected).toBe(true);
  });

  it('writes and emits nothing when the value is already in place', async () => {
    const op = await operator();
    await t.api('PUT', `/operator/${op.id}/live`, { key, json: { chat: { available: 1 } } });
    const again = await t.api('PUT', `/operator/${op.id}/live`, { key, json: { chat: { available: 1 } } });
    expect(again.body.meta.message).toBe('Operator is now available for chat channel.');
    const off = await t.api('PUT', `/operator/${op.id}/live`, { key, json: { call: { available: 0 } } });
    expect(off.body.meta.message).toBe('Operator is now unavailable for call channel.');
    expect(await eventTypesFor(t, 'operator', op.id)).toEqual([
      'user.created',
      'user.connected',
      'user.availability_changed',
    ]);
    expect(await sessionsOf(op.id)).toHaveLength(1);
  });

  it('changes several channels with one sentence each, and unavailability keeps the operator connected', async () => {
    const op = await operator({ call_enabled: true, video_enabled: true });
    const both = await t.api('PUT', `/operator/${op.id}/live`, {
      key,
      json: { chat: { available: true }, call: { available: 1 }, video: { available: 1 } },
    });
    expect(both.body.meta.message).toBe(
      'Operator is now available for chat channel. Operator is now available for call channel. Operator is now available for video channel.',
    );
    const away = await t.api('PUT', `/operator/${op.id}/live`, { key, form: 'chat[available]=0&video[available]=0' });
    expect(away.body.meta.message).toBe(
      'Operator is now unavailable for chat channel. Operator is now unavailable for video channel.',
    );
    expect(await flagsOf(op.id)).toEqual({ connected: 1, chat_available: 0, call_available: 1, video_available: 0 });
    expect(await eventPayloads(op.id, 'user.availability_changed')).toEqual([
      { userId: op.id, operatorId: op.id, channel: 'chat', available: true },
      { userId: op.id, operatorId: op.id, channel: 'call', available: true },
      { userId: op.id, operatorId: op.id, channel: 'video', available: true },
      { userId: op.id, operatorId: op.id, channel: 'chat', available: false },
      { userId: op.id, operatorId: op.id, channel: 'video', available: false },
    ]);
  });

  it('refuses a channel the operator cannot process, and changes nothing else of the request', async () => {
    const op = await operator({ video_enabled: false });
    const answer = await t.api('PUT', `/operator/${op.id}/live`, {
      key,
      json: { chat: { available: 1 }, video: { available: 1 } },
    });
    expect(answer.status).toBe(400);
    expect(answer.body.meta).toMatchObject({
      status: 'fail',
      message: `Value of field 'video[available]' is not valid. The operator cannot process video (video_enabled is false); enable it with PUT /operator/${op.id} first.`,
    });
    expect(await flagsOf(op.id)).toEqual({ connected: 0, chat_available: 0, call_available: 0, video_available: 0 });
    expect(await sessionsOf(op.id)).toHaveLength(0);
    expect(await eventTypesFor(t, 'operator', op.id)).toEqual(['user.created']);
    // Unavailable on a channel one cannot process is harmless and accepted.
    expect((await t.api('PUT', `/operator/${op.id}/live`, { key, form: { 'video[available]': '0' } })).status).toBe(
      200,
    );
  });

  it('disconnects with connected=0: clears every availability, closes the session, emits user.disconnected', async () => {
    const op = await operator({ call_enabled: true });
    await t.api('PUT', `/operator/${op.id}/live`, { key, form: 'chat[available]=1&call[available]=1' });
    const answer = await t.api('PUT', `/operator/${op.id}/live`, { key, form: 'connected=0' });
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ meta: { status: 'success', message: 'Operator is now disconnected.' } });
    expect(await flagsOf(op.id)).toEqual({ connected: 0, chat_available: 0, call_available: 0, video_available: 0 });
    const sessions = await sessionsOf(op.id);
    expect(sessions).toHaveLength(1);
    expect(sessions[0]?.ended_at).toMatch(/^\d{4}-\d{2}-\d{2}T/);
    expect(await eventTypesFor(t, 'operator', op.id)).toEqual([
      'user.created',
      'user.connected',
      'user.availability_changed',
      'user.availability_changed',
      'user.availability_changed',
      'user.availability_changed',
      'user.disconnected',
    ]);
    expect(await eventPayloads(op.id, 'user.disconnected')).toEqual([
      { userId: op.id, operatorId: op.id, sessionId: sessions[0]?.id },
    ]);
    // Disconnecting again (JSON this time) is accepted and changes nothing.
    const again = await t.api('PUT', `/operator/${op.id}/live`, { key, json: { connected: 0 } });
    expect(again.body.meta.message).toBe('Operator is now disconnected.');
    expect(await eventTypesFor(t, 'operator', op.id)).toHaveLength(7);
    // Reconnecting through availability opens a second session.
    await t.api('PUT', `/operator/${op.id}/live`, { key, form: 'chat[available]=1' });
    const reopened = await sessionsOf(op.id);
    expect(reopened).toHaveLength(2);
    expect(reopened[1]?.ended_at).toBeNull();
  });

  it('names the fields on bad input', async () => {
    const op = await operator();
    const cases: Array<[CallBody, string]> = [
      [
        { form: 'connected=1' },
        "Value of field 'connected' is not valid. Only 0 (disconnect) can be set through the API; operators connect from the console.",
      ],
      [
        { json: { connected: true } },
        "Value of field 'connected' is not valid. Only 0 (disconnect) can be set through the API; operators connect from the console.",
      ],
      [
        { json: { connected: 'later' } },
        "Value of field 'connected' is not valid. Only 0 (disconnect) can be set through the API; operators connect from the console.",
      ],
      [
        { json: {} },
        'Nothing to change. Send chat[available], call[available] or video[available] (1 or 0), or connected=0 to disconnect.',
      ],
      [
        {},
        'Nothing to change. Send chat[available], call[available] or video[available] (1 or 0), or connected=0 to disconnect.',
      ],
      [{ json: { chat: {} } }, "Field 'chat[available]' is missing."],
      [
        { form: 'chat[available]=maybe' },
        "Value of field 'chat[available]' is not valid. Expected 1 (available) or 0 (unavailable).",
      ],
      [{ form: 'chat=1' }, "Value of field 'chat' is not valid. Expected chat[available]=1 or chat[available]=0."],
      [{ json: { chat: { available: 1, forever: 1 } } }, "Field 'chat[forever]' is not a field of 'operator'."],
      [{ json: { status: 'online' } }, "Field 'status' is not a field of 'operator'."],
      [
        { json: { connected: 0, chat: { available: 1 } } },
        "Value of field 'connected' is not valid. An operator cannot be disconnected and made available for chat at once.",
      ],
    ];
    for (const [body, message] of cases) {
      const answer = await t.api('PUT', `/operator/${op.id}/live`, { key, ...body });
      expect({ body, status: answer.status, meta: answer.body.meta }).toMatchObject({
        body,
        status: 400,
        meta: { status: 'fail', message },
      });
    }
    expect(await eventTypesFor(t, 'operator', op.id)).toEqual(['user.created']);
  });

  it("answers 404 for another client's operator and changes nothing", async () => {
    const op = await operator();
    const answer = await t.api('PUT', `/operator/${op.id}/live`, { key: otherKey, form: 'chat[available]=1' });
    expect(answer.status).toBe(404);
    expect(answer.body.meta.message).toBe(`Unknown 'operator' with 'id' ${op.id}.`);
    expect(await flagsOf(op.id)).toMatchObject({ connected: 0, chat_available: 0 });
    const deleted = await operator();
    await t.api('DELETE', `/operator/${deleted.id}`, { key });
    expect((await t.api('PUT', `/operator/${deleted.id}/live`, { key, form: 'chat[available]=1' })).status).toBe(404);
  });

  it("lets a partner key drive its clients' operators", async () => {
    const partner = await partnerWithKey(t, 'Presence Partner');
    const child = await clientWithKey(t, 'Partner Child Co', partner.key);
    const op = await operator({}, child.key);
    const answer = await t.api('PUT', `/operator/${op.id}/live`, { key: partner.key, form: 'chat[available]=1' });
    expect(answer.status).toBe(200);
    const [session] = await sessionsOf(op.id);
    expect(session?.client_id).toBe(child.clientId);
  });
});

describe('presence commands', () => {
  it('connectOperator and disconnectOperator are idempotent and keep one open session', async () => {
    const op = await operator();
    await Promise.all([connectOperator(t.store.db, clientId, op.id), connectOperator(t.store.db, clientId, op.id)]);
    await connectOperator(t.store.db, clientId, op.id);
    expect((await sessionsOf(op.id)).filter((session) => session.ended_at === null)).toHaveLength(1);
    expect(await flagsOf(op.id)).toEqual({ connected: 1, chat_available: 0, call_available: 0, video_available: 0 });
    await Promise.all([
      disconnectOperator(t.store.db, clientId, op.id),
      disconnectOperator(t.store.db, clientId, op.id),
    ]);
    expect((await sessionsOf(op.id)).filter((session) => session.ended_at === null)).toHaveLength(0);
    expect(await eventTypesFor(t, 'operator', op.id)).toEqual(['user.created', 'user.connected', 'user.disconnected']);
  });

  it('changeOperatorLive serves v1: setAvailable, setUnavailable, disconnect', async () => {
    const op = await operator();
    await changeOperatorLive(t.store.db, clientId, op.id, { chat: true });
    expect(await flagsOf(op.id)).toMatchObject({ connected: 1, chat_available: 1 });
    await changeOperatorLive(t.store.db, clientId, op.id, { chat: false });
    expect(await flagsOf(op.id)).toMatchObject({ connected: 1, chat_available: 0 });
    await changeOperatorLive(t.store.db, clientId, op.id, { connected: false });
    expect(await flagsOf(op.id)).toMatchObject({ connected: 0, chat_available: 0 });
    expect(await eventTypesFor(t, 'operator', op.id)).toEqual([
      'user.created',
      'user.connected',
      'user.availability_changed',
      'user.availability_changed',
      'user.disconnected',
    ]);
  });

  it('refuses an operator of another client as unknown', async () => {
    const op = await operator();
    await expect(changeOperatorLive(t.store.db, otherClientId, op.id, { chat: true })).rejects.toBeInstanceOf(ApiError);
    await expect(changeOperatorLive(t.store.db, otherClientId, op.id, { chat: true })).rejects.toMatchObject({
      httpStatus: 404,
      message: `Unknown 'operator' with 'id' ${op.id}.`,
    });
    await expect(connectOperator(t.store.db, otherClientId, op.id)).rejects.toMatchObject({ httpStatus: 404 });
    expect(await sessionsOf(op.id)).toHaveLength(0);
  });
});

describe('presence follows operator changes', () => {
  it('deleting a connected operator closes the presence session and announces the disconnection', async () => {
    const op = await operator();
    await t.api('PUT', `/operator/${op.id}/live`, { key, json: { chat: { available: 1 } } });
    expect((await sessionsOf(op.id))[0]?.ended_at).toBeNull();
    expect((await t.api('DELETE', `/operator/${op.id}`, { key })).status).toBe(200);
    const [session] = await sessionsOf(op.id);
    expect(session?.ended_at).not.toBeNull();
    expect(await eventTypesFor(t, 'operator', op.id)).toEqual([
      'user.created',
      'user.connected',
      'user.availability_changed',
      'user.availability_changed',
      'user.disconnected',
      'user.deleted',
    ]);
  });

  it('disabling a channel makes the operator unavailable on it', async () => {
    const op = await operator();
    await t.api('PUT', `/operator/${op.id}/live`, { key, json: { chat: { available: 1 } } });
    expect((await t.api('PUT', `/operator/${op.id}`, { key, json: { chat_enabled: false } })).status).toBe(200);
    const live = await t.api('GET', `/operator/${op.id}/live`, { key });
    expect(live.body.data).toMatchObject({ connected: true, chat: { enabled: false, available: false } });
    expect(await eventPayloads(op.id, 'user.availability_changed')).toEqual([
      expect.objectContaining({ channel: 'chat', available: true }),
      expect.objectContaining({ channel: 'chat', available: false }),
    ]);
  });
});

describe('GET /operator/live without paging', () => {
  it('lists more operators than one page holds', async () => {
    const team = await clientWithKey(t, 'Big Team Co');
    const created: number[] = [];
    for (let index = 0; index < 105; index += 1) {
      const answer = await t.api('POST', '/operator', {
        key: team.key,
        json: { name: `Agent ${index}`, email: `agent.${index}@big-team.example` },
      });
      created.push(answer.body.data.id);
    }
    const answer = await t.api('GET', '/operator/live', { key: team.key });
    expect(answer.body.data).toHaveLength(105);
    expect(new Set(answer.body.data.map((item) => item.id))).toEqual(new Set(created));
  });
});
