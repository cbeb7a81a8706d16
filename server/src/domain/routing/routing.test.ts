// Live routing end to end on a real database: who gets a conversation, queues and positions, serving, outcomes, transfers.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError } from '../../errors.js';
import { transact } from '../../events/transact.js';
import { clientWithKey, eventTypesFor, startTestApp, type TestApp } from '../../test/harness.js';
import { nowInstant } from '../../time.js';
import { OPERATOR_CHAT_CLOSE, VISITOR_CHAT_CLOSE } from '../conversations/history.js';
import type { LiveChannel } from '../people/live-schema.js';
import { changeOperatorLive, connectOperator, disconnectOperator } from '../people/presence.js';
import { findOrCreateVisitor } from '../visitors/identity.js';
import {
  abandonConversation,
  closeLiveConversation,
  expireQueuedConversations,
  type LiveStart,
  type LiveStartInput,
  missQueuedConversations,
  setRoutingStrategy,
  startLiveConversation,
} from './commands.js';
import { OPERATOR_CHAT_ASSIGNED, OPERATOR_CHAT_TRANSFERRED } from './entries.js';
import { queueSnapshot, queueStatus } from './queue.js';
import { serveQueue, serveQueuesForOperator } from './serving.js';
import { rerouteConversationsOf, transferConversation } from './transfer.js';

let t: TestApp;
let key: string;
let clientId: number;
let otherKey: string;
let otherClientId: number;

beforeAll(async () => {
  t = await startTestApp();
  ({ key, clientId } = await clientWithKey(t, 'Routing Co'));
  ({ key: otherKey, clientId: otherClientId } = await clientWithKey(t, 'Other Routing Co'));
});
afterAll(async () => t.close());

let counter = 0;

async function created(
  path: '/website' | '/operator' | '/group' | '/skill',
  json: Record<string, unknown>,
  as: string = key,
): Promise<number> {
  const answer = await t.api('POST', path, { key: as, json });
  if (answer.status !== 200) throw new Error(`POST ${path} failed: ${JSON.stringify(answer.body)}`);
  return answer.body.data.id;
}

async function website(): Promise<number> {
  counter += 1;
  return created('/website', { url: `https://routing-${counter}.example` });
}

/** An operator of the website, connected and available for chat unless told otherwise. */
async function operator(
  websiteIds: number[],
  extra: Record<string, unknown> = {},
  live: { [channel in LiveChannel]?: boolean } | 'offline' = { chat: true },
): Promise<number> {
  counter += 1;
  const id = await created('/operator', {
    name: `Agent ${counter}`,
    email: `agent.${counter}@routing.example`,
    website_list: websiteIds,
    ...extra,
  });
  if (live !== 'offline') await changeOperatorLive(t.store.db, clientId, id, live);
  return id;
}

async function visitor(websiteId: number, owner: number = clientId): Promise<{ id: number; uniqueId: string }> {
  return transact(t.store.db, (trx) => findOrCreateVisitor(trx, { clientId: owner, websiteId, at: nowInstant() }));
}

async function start(websiteId: number, extra: Partial<LiveStartInput> = {}): Promise<LiveStart> {
  return startLiveConversation(t.store.db, {
    websiteId,
    visitor: await visitor(websiteId),
    text: 'Hello, anyone there?',
    ...extra,
  });
}

async function conversation(id: number) {
  return t.store.db.selectFrom('conversation').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
}

async function history(id: number) {
  return t.store.db
    .selectFrom('conversation_message')
    .select(['seq', 'kind', 'body', 'data', 'operator_id', 'client_message_id'])
    .where('conversation_id', '=', id)
    .orderBy('seq')
    .execute();
}

async function payloads(conversationId: number, type: string): Promise<Array<Record<string, unknown>>> {
  const rows = await t.store.db
    .selectFrom('event')
    .select('payload')
    .where('subject_type', '=', 'conversation')
    .where('subject_id', '=', conversationId)
    .where('type', '=', type)
    .orderBy('id')
    .execute();
  return rows.map((row) => JSON.parse(row.payload) as Record<string, unknown>);
}

/** The id of the last event so far: what a test compares later events with. */
async function eventMark(): Promise<number> {
  const row = await t.store.db
    .selectFrom('event')
    .select((eb) => eb.fn.max('id').as('last'))
    .executeTakeFirst();
  return Number(row?.last ?? 0);
}

/**
 * Assignments committed after `mark`, as [conversation, operator] in commit order: what queue serving did, whether
 * a command or the queue-serving reaction to its events (domain/routing/reactions.ts) made them.
 */
async function assignmentsSince(mark: number): Promise<Array<[number, number]>> {
  const rows = await t.store.db
    .selectFrom('event')
    .select(['subject_id', 'payload'])
    .where('type', '=', 'conversation.assigned')
    .where('id', '>', mark)
    .orderBy('id')
    .execute();
  return rows.map((row) => [row.subject_id, Number((JSON.parse(row.payload) as { operatorId: number }).operatorId)]);
}

function assignedTo(result: LiveStart): number {
  if (result.kind !== 'assigned') throw new Error(`expected an assignment, got ${JSON.stringify(result)}`);
  return result.operatorId;
}

async function rejection(promise: Promise<unknown>): Promise<{ status: number; message: string }> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ApiError) return { status: error.httpStatus, message: error.message };
    throw error;
  }
  throw new Error('expected a rejection');
}

/** Moves a conversation's times into the past, as if it had started `ms` ago. */
async function ageConversation(id: number, ms: number): Promise<void> {
  const row = await conversation(id);
  const back = (instant: string | null) => (instant === null ? null : new Date(Date.parse(instant) - ms).toISOString());
  await t.store.db
    .updateTable('conversation')
    .set({ created_at: back(row.created_at) ?? row.created_at, queued_at: back(row.queued_at) })
    .where('id', '=', id)
    .execute();
}

describe('startLiveConversation: assignment', () => {
  it('opens, assigns and records everything: status, operator, times, outcome, notice with data, events', async () => {
    const site = await website();
    const agent = await operator([site]);
    const result = await start(site, { clientMessageId: 'm-1', pageType: 'product', userAgent: 'Firefox' });
    expect(result).toMatchObject({ kind: 'assigned', operatorId: agent, websiteId: site, channel: 'chat', served: [] });
    expect(result.entries.map((entry) => [entry.seq, entry.kind, entry.body])).toEqual([
      [1, 2, 'Hello, anyone there?'],
      [2, 3, OPERATOR_CHAT_ASSIGNED],
    ]);
    const row = await conversation(result.conversationId);
    expect(row).toMatchObject({
      status: 'open',
      source: 'web',
      operator_id: agent,
      outcome: 'answered',
      operator_answer: 0,
      waitinglist: 0,
      queued_at: null,
      page_type: 'product',
      user_agent: 'Firefox',
      last_seq: 2,
    });
    expect(row.assigned_at).not.toBeNull();
    expect(row.wait_ms).toBeGreaterThanOrEqual(0);
    expect(row.wait_ms).toBeLessThan(5000);
    expect(await history(result.conversationId)).toEqual([
      { seq: 1, kind: 2, body: 'Hello, anyone there?', data: null, operator_id: null, client_message_id: 'm-1' },
      {
        seq: 2,
        kind: 3,
        body: OPERATOR_CHAT_ASSIGNED,
        data: JSON.stringify({ event: 'assigned', operator_id: agent }),
        operator_id: null,
        client_message_id: null,
      },
    ]);
    const stamped = await t.store.db
      .selectFrom('operator')
      .select('last_assigned_at')
      .where('id', '=', agent)
      .executeTakeFirstOrThrow();
    expect(stamped.last_assigned_at).toBe(row.assigned_at);
    expect(await eventTypesFor(t, 'conversation', result.conversationId)).toEqual([
      'conversation.started',
      'message.created',
      'message.created',
      'conversation.assigned',
    ]);
    expect(await payloads(result.conversationId, 'conversation.assigned')).toEqual([
      {
        conversationId: result.conversationId,
        websiteId: site,
        clientId,
        channel: 'chat',
        visitorId: row.visitor_id,
        skillId: null,
        operatorId: agent,
        waitMs: row.wait_ms,
        queued: false,
        seq: 2,
      },
    ]);
  });

  it('starts without a first message', async () => {
    const site = await website();
    await operator([site]);
    const result = await start(site, { text: null });
    expect(result.kind).toBe('assigned');
    expect(result.entries.map((entry) => entry.seq)).toEqual([1]);
  });

  it('gives chat_priority 10 before 0, even to a busier operator', async () => {
    const site = await website();
    await operator([site], { chat_priority: 0, chat_max_number: 3 });
    const preferred = await operator([site], { chat_priority: 10, chat_max_number: 3 });
    expect(assignedTo(await start(site))).toBe(preferred);
    expect(assignedTo(await start(site))).toBe(preferred);
    expect(assignedTo(await start(site))).toBe(preferred);
    // Full: the priority-0 operator takes the next one.
    expect(assignedTo(await start(site))).not.toBe(preferred);
  });

  it('least loaded (the default): fewest open conversations, ties to the longest idle', async () => {
    const site = await website();
    const first = await operator([site], { chat_max_number: 5 });
    const second = await operator([site], { chat_max_number: 5 });
    const third = await operator([site], { chat_max_number: 5 });
    // Never assigned: lowest id first, then the others by idle time.
    expect(assignedTo(await start(site))).toBe(first);
    expect(assignedTo(await start(site))).toBe(second);
    expect(assignedTo(await start(site))).toBe(third);
    // second closes its conversation: it is the least loaded now, although it was not idle longest.
    const ofSecond = await t.store.db
      .selectFrom('conversation')
      .select('id')
      .where('operator_id', '=', second)
      .executeTakeFirstOrThrow();
    await closeLiveConversation(t.store.db, ofSecond.id, { by: 'operator' });
    expect(assignedTo(await start(site))).toBe(second);
    // All at 1: longest idle is first.
    expect(assignedTo(await start(site))).toBe(first);
  });

  it('round robin: operators take turns whatever their load', async () => {
    const site = await website();
    await setRoutingStrategy(t.store.db, site, 'round_robin');
    const a = await operator([site], { chat_max_number: 5 });
    const b = await operator([site], { chat_max_number: 5 });
    const c = await operator([site], { chat_max_number: 5 });
    const order: number[] = [];
    for (let n = 0; n < 6; n += 1) order.push(assignedTo(await start(site)));
    expect(order).toEqual([a, b, c, a, b, c]);
    // c closes both: least loaded would pick c, round robin still picks the longest idle (a).
    const ofC = await t.store.db.selectFrom('conversation').select('id').where('operator_id', '=', c).execute();
    for (const row of ofC) await closeLiveConversation(t.store.db, row.id, { by: 'visitor' });
    expect(assignedTo(await start(site))).toBe(a);
    await setRoutingStrategy(t.store.db, site, 'least_loaded');
    expect(assignedTo(await start(site))).toBe(c);
  });

  it('requires the skill a conversation asks for, and queues when only unskilled operators are free', async () => {
    const site = await website();
    const skill = await created('/skill', { name: `Returns ${counter}` });
    await operator([site], { chat_max_number: 5 });
    const expert = await operator([site], { skill_list: [skill], chat_max_number: 1 });
    expect(assignedTo(await start(site, { skillId: skill }))).toBe(expert);
    const waiting = await start(site, { skillId: skill });
    expect(waiting).toMatchObject({ kind: 'queued', position: 1 });
    expect(await conversation(waiting.conversationId)).toMatchObject({
      status: 'waiting',
      skill_id: skill,
      operator_id: null,
      waitinglist: 1,
    });
    // Without the skill the other operator takes it.
    expect(assignedTo(await start(site))).not.toBe(expert);
  });

  it('never goes beyond chat_max_number, and routes call on its own single slot', async () => {
    const site = await website();
    const agent = await operator([site], { chat_max_number: 1, call_enabled: true }, { chat: true, call: true });
    expect(assignedTo(await start(site))).toBe(agent);
    expect((await start(site)).kind).toBe('queued');
    expect(assignedTo(await start(site, { channel: 'call' }))).toBe(agent);
    expect((await start(site, { channel: 'call' })).kind).toBe('queued');
    const live = await t.api('GET', `/operator/${agent}/live`, { key });
    expect(live.body.data).toMatchObject({
      chat: { slot_number: 1, busy: true },
      call: { slot_number: 1, busy: true },
    });
  });

  it('does not route to operators of another website, disconnected ones, or ones not available on the channel', async () => {
    const site = await website();
    const elsewhere = await website();
    await operator([elsewhere]);
    await operator([site], {}, 'offline');
    const connectedOnly = await operator([site], {}, 'offline');
    await connectOperator(t.store.db, clientId, connectedOnly);
    await operator([site], { call_enabled: true }, { call: true });
    const result = await start(site);
    expect(result.kind).toBe('offline');
  });

  it('refuses bad input naming the field: website, skill and visitor of another client, channel', async () => {
    const site = await website();
    const foreignSkill = await created('/skill', { name: 'Foreign skill' }, otherKey);
    expect(
      await rejection(startLiveConversation(t.store.db, { websiteId: 999_999, visitor: await visitor(site) })),
    ).toEqual({ status: 404, message: "Unknown 'website' with 'id' 999999." });
    expect(await rejection(start(site, { skillId: foreignSkill }))).toEqual({
      status: 400,
      message: `Value of field 'skill_id' is not valid. Unknown 'skill' with 'id' ${foreignSkill}.`,
    });
    const foreignVisitor = await visitor(site, otherClientId);
    expect(await rejection(startLiveConversation(t.store.db, { websiteId: site, visitor: foreignVisitor }))).toEqual({
      status: 400,
      message: `Value of field 'visitor_id' is not valid. Unknown 'visitor' with 'id' ${foreignVisitor.id}.`,
    });
    const badChannel = JSON.parse('"social"') as LiveChannel;
    expect(await rejection(start(site, { channel: badChannel }))).toEqual({
      status: 400,
      message: "Value of field 'channel' is not valid. Expected chat, call or video.",
    });
    const left = await t.store.db.selectFrom('conversation').select('id').where('website_id', '=', site).execute();
    expect(left).toEqual([]);
  });
});

describe('startLiveConversation: offline outcome', () => {
  it('closes at once as missed_offline, keeping the message left, when nobody is connected and available', async () => {
    const site = await website();
    await operator([site], {}, 'offline');
    const result = await start(site, { clientMessageId: 'left-1' });
    expect(result).toMatchObject({ kind: 'offline', served: [] });
    expect(result.entries.map((entry) => [entry.seq, entry.body])).toEqual([
      [1, 'Hello, anyone there?'],
      [2, VISITOR_CHAT_CLOSE],
    ]);
    const row = await conversation(result.conversationId);
    expect(row).toMatchObject({
      status: 'closed',
      outcome: 'missed_offline',
      wait_ms: 0,
      operator_closed: 0,
      operator_id: null,
      waitinglist: 0,
      queued_at: null,
    });
    expect(row.closed_at).not.toBeNull();
    expect(await eventTypesFor(t, 'conversation', result.conversationId)).toEqual([
      'conversation.started',
      'message.created',
      'conversation.missed',
      'message.created',
      'conversation.closed',
    ]);
    expect(await payloads(result.conversationId, 'conversation.missed')).toMatchObject([
      { reason: 'offline', queued: false, waitMs: 0, websiteId: site },
    ]);
  });
});

describe('queue', () => {
  it('queues when operators are all busy: waitinglist, queued_at, event, positions and estimates in order', async () => {
    const site = await website();
    const agent = await operator([site], { chat_max_number: 1 });
    const first = await start(site);
    expect(assignedTo(first)).toBe(agent);
    const queued = [await start(site), await start(site), await start(site)];
    expect(
      queued.map((result) => (result.kind === 'queued' ? [result.position, result.estimatedWaitSeconds] : result.kind)),
    ).toEqual([
      [1, 60],
      [2, 120],
      [3, 180],
    ]);
    const second = queued[0];
    if (second === undefined) throw new Error('no second conversation');
    const row = await conversation(second.conversationId);
    expect(row).toMatchObject({ status: 'waiting', waitinglist: 1, operator_id: null, outcome: null });
    // Stamped once routing found nobody free (under the operators' locks): at or just after the start.
    const queuedAfterMs = Date.parse(row.queued_at ?? '') - Date.parse(row.created_at);
    expect(queuedAfterMs).toBeGreaterThanOrEqual(0);
    expect(queuedAfterMs).toBeLessThan(1_000);
    expect(await eventTypesFor(t, 'conversation', second.conversationId)).toEqual([
      'conversation.started',
      'message.created',
      'conversation.queued',
    ]);
    expect(await payloads(second.conversationId, 'conversation.queued')).toMatchObject([
      { position: 1, estimatedWaitSeconds: 60, websiteId: site },
    ]);
    expect(await queueStatus(t.store.db, second.conversationId)).toEqual({ position: 1, estimatedWaitSeconds: 60 });
    expect(await queueStatus(t.store.db, first.conversationId)).toBeNull();
    expect((await queueSnapshot(t.store.db, site)).map((entry) => [entry.conversationId, entry.position])).toEqual(
      queued.map((result, index) => [result.conversationId, index + 1]),
    );
  });

  it('positions count only the same channel, and the same skill or none', async () => {
    const site = await website();
    const skill = await created('/skill', { name: `Billing ${counter}` });
    await operator([site], { chat_max_number: 1, call_enabled: true, skill_list: [skill] }, { chat: true, call: true });
    await start(site);
    await start(site, { channel: 'call' });
    const plain = await start(site);
    const skilled = await start(site, { skillId: skill });
    const call = await start(site, { channel: 'call' });
    const plainAgain = await start(site);
    expect(
      [plain, skilled, call, plainAgain].map((result) => (result.kind === 'queued' ? result.position : result.kind)),
    ).toEqual([1, 2, 1, 2]);
    expect(await queueStatus(t.store.db, skilled.conversationId)).toMatchObject({ position: 2 });
  });

  it('estimates from the mean wait of the last 24 hours divided by the eligible connected operators', async () => {
    const site = await website();
    await operator([site], { chat_max_number: 1 });
    await operator([site], { chat_max_number: 1 });
    await start(site);
    await start(site);
    // A past queued conversation that waited 30 s, and one older than 24 h (ignored).
    const past = await start(site);
    const stale = await start(site);
    const queuedAt = new Date(Date.now() - 90_000).toISOString();
    const assignedAt = new Date(Date.now() - 60_000).toISOString();
    await t.store.db
      .updateTable('conversation')
      .set({ status: 'closed', queued_at: queuedAt, assigned_at: assignedAt, wait_ms: 30_000, outcome: 'answered' })
      .where('id', '=', past.conversationId)
      .execute();
    await t.store.db
      .updateTable('conversation')
      .set({
        status: 'closed',
        queued_at: '2020-01-01T00:00:00.000Z',
        assigned_at: '2020-01-01T00:15:00.000Z',
        wait_ms: 900_000,
        outcome: 'answered',
      })
      .where('id', '=', stale.conversationId)
      .execute();
    const next = await start(site);
    const after = await start(site);
    // position × 30 s ÷ 2 operators.
    expect(next).toMatchObject({ kind: 'queued', position: 1, estimatedWaitSeconds: 15 });
    expect(after).toMatchObject({ kind: 'queued', position: 2, estimatedWaitSeconds: 30 });
  });

  it('serves the queue in order when a conversation closes, recording the wait', async () => {
    const site = await website();
    const agent = await operator([site], { chat_max_number: 1 });
    const first = await start(site);
    const second = await start(site);
    const third = await start(site);
    await ageConversation(second.conversationId, 40_000);
    await ageConversation(third.conversationId, 20_000);
    const mark = await eventMark();
    const closed = await closeLiveConversation(t.store.db, first.conversationId, { by: 'operator', operatorId: agent });
    expect(closed).toMatchObject({
      conversationId: first.conversationId,
      operatorId: agent,
      operatorClosed: true,
      outcome: 'answered',
    });
    expect(closed.entries.map((entry) => entry.body)).toEqual([OPERATOR_CHAT_CLOSE]);
    // Served by the reaction to `conversation.closed`, before closeLiveConversation returned.
    expect(await assignmentsSince(mark)).toEqual([[second.conversationId, agent]]);
    const served = await conversation(second.conversationId);
    expect(served).toMatchObject({ status: 'open', operator_id: agent, outcome: 'answered', waitinglist: 1 });
    expect(served.wait_ms).toBeGreaterThanOrEqual(40_000);
    expect(served.wait_ms).toBeLessThan(50_000);
    expect(await payloads(second.conversationId, 'conversation.assigned')).toMatchObject([
      { operatorId: agent, queued: true, waitMs: served.wait_ms },
    ]);
    expect(await queueStatus(t.store.db, third.conversationId)).toMatchObject({ position: 1 });
    const firstRow = await conversation(first.conversationId);
    expect(firstRow).toMatchObject({ status: 'closed', operator_closed: 1 });
  });

  it('serves the queue when an operator becomes available, connects or gets more slots', async () => {
    const site = await website();
    const agent = await operator([site], { chat_max_number: 1 });
    await start(site);
    const waiting = [await start(site), await start(site), await start(site)];
    expect(await serveQueue(t.store.db, { websiteId: site })).toEqual([]);
    // Becoming available (the reaction to `user.availability_changed`) serves the oldest waiting conversation.
    let mark = await eventMark();
    const late = await operator([site], { chat_max_number: 1 });
    expect(await assignmentsSince(mark)).toEqual([[waiting[0]?.conversationId, late]]);
    // More slots through the API (the reaction to `user.updated` naming chat_max_number) serve the rest.
    mark = await eventMark();
    await t.api('PUT', `/operator/${agent}`, { key, json: { chat_max_number: 3 } });
    expect(await assignmentsSince(mark)).toEqual([
      [waiting[1]?.conversationId, agent],
      [waiting[2]?.conversationId, agent],
    ]);
    expect(await queueSnapshot(t.store.db, site)).toEqual([]);
    expect(await serveQueuesForOperator(t.store.db, late)).toEqual([]);
  });

  it('lets a conversation that nobody free can take wait without blocking the ones behind it', async () => {
    const site = await website();
    const skill = await created('/skill', { name: `Rare ${counter}` });
    const agent = await operator([site], { chat_max_number: 1 });
    const first = await start(site);
    const rare = await start(site, { skillId: skill });
    const plain = await start(site);
    expect([rare.kind, plain.kind]).toEqual(['queued', 'queued']);
    const mark = await eventMark();
    const closed = await closeLiveConversation(t.store.db, first.conversationId, { by: 'visitor' });
    expect(closed.operatorClosed).toBe(false);
    expect(await assignmentsSince(mark)).toEqual([[plain.conversationId, agent]]);
    expect(await queueStatus(t.store.db, rare.conversationId)).toMatchObject({ position: 1 });
  });

  it('a newcomer never overtakes the queue: a free slot goes to the oldest waiting conversation first', async () => {
    const site = await website();
    const agent = await operator([site], { chat_max_number: 1 });
    const first = await start(site);
    const waiting = await start(site);
    // The slot frees without serving the queue (as if the node crashed before serving it).
    await t.store.db
      .updateTable('conversation')
      .set({ status: 'closed' })
      .where('id', '=', first.conversationId)
      .execute();
    const newcomer = await start(site);
    expect(newcomer).toMatchObject({ kind: 'queued', position: 1 });
    expect(newcomer.served.map((assignment) => [assignment.conversationId, assignment.operatorId])).toEqual([
      [waiting.conversationId, agent],
    ]);
  });
});

describe('ends of a wait', () => {
  it('abandonment: the visitor leaves while waiting (abandoned, wait_ms, event); an assigned conversation is not abandoned', async () => {
    const site = await website();
    await operator([site], { chat_max_number: 1 });
    const first = await start(site);
    const waiting = await start(site);
    await ageConversation(waiting.conversationId, 12_000);
    const ended = await abandonConversation(t.store.db, waiting.conversationId);
    expect(ended).toMatchObject({ conversationId: waiting.conversationId, outcome: 'abandoned', websiteId: site });
    expect(ended.waitMs).toBeGreaterThanOrEqual(12_000);
    expect(ended.entries.map((entry) => entry.body)).toEqual([VISITOR_CHAT_CLOSE]);
    expect(await conversation(waiting.conversationId)).toMatchObject({
      status: 'closed',
      outcome: 'abandoned',
      operator_closed: 0,
      wait_ms: ended.waitMs,
    });
    expect(await eventTypesFor(t, 'conversation', waiting.conversationId)).toEqual([
      'conversation.started',
      'message.created',
      'conversation.queued',
      'conversation.abandoned',
      'message.created',
      'conversation.closed',
    ]);
    expect(await rejection(abandonConversation(t.store.db, first.conversationId))).toEqual({
      status: 409,
      message: `Conversation ${first.conversationId} is not waiting for an operator.`,
    });
    expect(await rejection(abandonConversation(t.store.db, 999_999))).toEqual({
      status: 404,
      message: "Unknown 'conversation' with 'id' 999999.",
    });
  });

  it('a visitor closing a waiting conversation abandons it; an operator cannot close it', async () => {
    const site = await website();
    await operator([site], { chat_max_number: 1 });
    await start(site);
    const waiting = await start(site);
    expect(await rejection(closeLiveConversation(t.store.db, waiting.conversationId, { by: 'operator' }))).toEqual({
      status: 409,
      message: `Conversation ${waiting.conversationId} is waiting for an operator; only its visitor can leave it.`,
    });
    const closed = await closeLiveConversation(t.store.db, waiting.conversationId, { by: 'visitor' });
    expect(closed).toMatchObject({ outcome: 'abandoned', operatorId: null, operatorClosed: false });
    expect(await rejection(closeLiveConversation(t.store.db, waiting.conversationId, { by: 'visitor' }))).toEqual({
      status: 409,
      message: `Conversation ${waiting.conversationId} is already closed.`,
    });
  });

  it('an operator may close only their own conversation', async () => {
    const site = await website();
    const agent = await operator([site]);
    const other = await operator([site]);
    const mine = await start(site);
    expect(assignedTo(mine)).toBe(agent);
    expect(
      await rejection(closeLiveConversation(t.store.db, mine.conversationId, { by: 'operator', operatorId: other })),
    ).toEqual({
      status: 409,
      message: `Operator ${other} does not have conversation ${mine.conversationId}.`,
    });
  });

  it('missQueuedConversations: when every operator left, the waiting visitors are missed_offline', async () => {
    const site = await website();
    const agent = await operator([site], { chat_max_number: 1, call_enabled: true }, { chat: true, call: true });
    await start(site);
    const chat = await start(site);
    await start(site, { channel: 'call' });
    const call = await start(site, { channel: 'call' });
    // Someone is still there for chat and call: nothing is missed.
    expect(await missQueuedConversations(t.store.db, site)).toEqual([]);
    await changeOperatorLive(t.store.db, clientId, agent, { call: false });
    const missed = await missQueuedConversations(t.store.db, site);
    expect(missed.map((ended) => [ended.conversationId, ended.outcome])).toEqual([
      [call.conversationId, 'missed_offline'],
    ]);
    // Disconnecting the last operator ends the remaining waits at once (the reaction to `user.disconnected`).
    await disconnectOperator(t.store.db, clientId, agent);
    expect(await missQueuedConversations(t.store.db, site)).toEqual([]);
    expect(await conversation(chat.conversationId)).toMatchObject({
      status: 'closed',
      outcome: 'missed_offline',
      operator_closed: 0,
    });
    expect(await payloads(chat.conversationId, 'conversation.missed')).toMatchObject([
      { reason: 'offline', queued: true },
    ]);
  });

  it('expireQueuedConversations: a visitor who waited longer than the maximum is missed_busy', async () => {
    const site = await website();
    await operator([site], { chat_max_number: 1 });
    await start(site);
    const long = await start(site);
    const short = await start(site);
    await ageConversation(long.conversationId, 10 * 60_000);
    const expired = await expireQueuedConversations(t.store.db, site, 5 * 60_000);
    expect(expired.map((ended) => [ended.conversationId, ended.outcome])).toEqual([
      [long.conversationId, 'missed_busy'],
    ]);
    expect(expired[0]?.waitMs).toBeGreaterThanOrEqual(10 * 60_000);
    expect(await payloads(long.conversationId, 'conversation.missed')).toMatchObject([
      { reason: 'busy', queued: true },
    ]);
    expect(await queueStatus(t.store.db, short.conversationId)).toMatchObject({ position: 1 });
  });
});

describe('transferConversation', () => {
  it('to an operator: moves it, writes the notice with data and the event, and serves the queue of the one who gave it away', async () => {
    const site = await website();
    // Only `from` may take the waiting conversation: `to` becoming available does not serve it.
    const skill = await created('/skill', { name: `Only from ${counter}` });
    const from = await operator([site], { chat_max_number: 1, skill_list: [skill] });
    const started = await start(site);
    expect(assignedTo(started)).toBe(from);
    const waiting = await start(site, { skillId: skill });
    const to = await operator([site], { chat_max_number: 1 });
    const mark = await eventMark();
    const transfer = await transferConversation(t.store.db, started.conversationId, { operatorId: to }, from);
    expect(transfer).toMatchObject({
      conversationId: started.conversationId,
      fromOperatorId: from,
      toOperatorId: to,
      queued: null,
    });
    // The slot `from` freed is served by the reaction to `conversation.transferred`.
    expect(await assignmentsSince(mark)).toEqual([[waiting.conversationId, from]]);
    expect(transfer.entries.map((entry) => [entry.kind, entry.body, entry.data])).toEqual([
      [
        3,
        OPERATOR_CHAT_TRANSFERRED,
        JSON.stringify({ event: 'transferred', from, to, target: { operator_id: to }, by: from }),
      ],
    ]);
    const row = await conversation(started.conversationId);
    expect(row).toMatchObject({ status: 'open', operator_id: to, outcome: 'answered' });
    expect(row.assigned_at).not.toBeNull();
    expect(await payloads(started.conversationId, 'conversation.transferred')).toMatchObject([
      { fromOperatorId: from, toOperatorId: to, target: { operator_id: to }, byOperatorId: from, queued: false },
    ]);
  });

  it('to an operator who cannot take it: 409 naming why; unknown or foreign operators are 400', async () => {
    const site = await website();
    const elsewhere = await website();
    const from = await operator([site], { chat_max_number: 2 });
    const started = await start(site);
    const id = started.conversationId;
    const offline = await operator([site], {}, 'offline');
    const connected = await operator([site], {}, 'offline');
    await connectOperator(t.store.db, clientId, connected);
    const noChat = await operator([site], { chat_enabled: false, call_enabled: true }, { call: true });
    const full = await operator([site], { chat_max_number: 1 });
    await start(site);
    await start(site);
    const notLinked = await operator([elsewhere]);
    const foreign = await created('/operator', { name: 'Foreign', email: 'foreign.agent@routing.example' }, otherKey);
    const attempts = await Promise.all(
      [from, notLinked, offline, connected, noChat, full, foreign, 999_999].map((target) =>
        rejection(transferConversation(t.store.db, id, { operatorId: target }, from)),
      ),
    );
    expect(attempts).toEqual([
      { status: 409, message: `Operator ${from} already has conversation ${id}.` },
      { status: 409, message: `Operator ${notLinked} does not answer on website ${site}.` },
      { status: 409, message: `Operator ${offline} is not connected.` },
      { status: 409, message: `Operator ${connected} is not available for chat.` },
      { status: 409, message: `Operator ${noChat} cannot process chat (chat_enabled is false).` },
      { status: 409, message: `Operator ${full} has no free chat slot (1 of 1 taken).` },
      { status: 400, message: `Value of field 'operator_id' is not valid. Unknown 'operator' with 'id' ${foreign}.` },
      { status: 400, message: "Value of field 'operator_id' is not valid. Unknown 'operator' with 'id' 999999." },
    ]);
    expect(await conversation(id)).toMatchObject({ operator_id: from });
    expect(await eventTypesFor(t, 'conversation', id)).not.toContain('conversation.transferred');
  });

  it('to a group: the best free member by the website ordering, never the current operator; 409 when none is free', async () => {
    const site = await website();
    const group = await created('/group', { name: `Support ${counter}` });
    const emptyGroup = await created('/group', { name: `Nobody ${counter}` });
    const from = await operator([site], { group_id: group, chat_max_number: 3 });
    const started = await start(site);
    expect(assignedTo(started)).toBe(from);
    await operator([site], { group_id: group, chat_priority: 0 });
    const preferred = await operator([site], { group_id: group, chat_priority: 10 });
    const transfer = await transferConversation(t.store.db, started.conversationId, { groupId: group }, from);
    expect(transfer.toOperatorId).toBe(preferred);
    expect(transfer.entries[0]?.data).toBe(
      JSON.stringify({ event: 'transferred', from, to: preferred, target: { group_id: group }, by: from }),
    );
    expect(
      await rejection(transferConversation(t.store.db, started.conversationId, { groupId: emptyGroup }, from)),
    ).toEqual({
      status: 409,
      message: `No operator of group ${emptyGroup} is connected, available for chat and free on website ${site}.`,
    });
    expect(
      await rejection(transferConversation(t.store.db, started.conversationId, { groupId: 999_999 }, from)),
    ).toEqual({
      status: 400,
      message: "Value of field 'group_id' is not valid. Unknown 'group' with 'id' 999999.",
    });
  });

  it('to a skill: sets skill_id and routes among its operators; back to the queue when none is free, then served', async () => {
    const site = await website();
    const skill = await created('/skill', { name: `Refunds ${counter}` });
    const from = await operator([site], { chat_max_number: 3, skill_list: [skill] });
    const expert = await operator([site], { chat_max_number: 1, skill_list: [skill] }, 'offline');
    const first = await start(site);
    const second = await start(site);
    expect([assignedTo(first), assignedTo(second)]).toEqual([from, from]);
    // Nobody else with the skill is available: it goes back to the queue (from may not take it back).
    const requeued = await transferConversation(t.store.db, first.conversationId, { skillId: skill }, from);
    expect(requeued).toMatchObject({
      fromOperatorId: from,
      toOperatorId: null,
      queued: { position: 1, estimatedWaitSeconds: 60 },
      served: [],
    });
    expect(requeued.entries[0]?.data).toBe(
      JSON.stringify({ event: 'transferred', from, to: null, target: { skill_id: skill }, by: from }),
    );
    const row = await conversation(first.conversationId);
    expect(row).toMatchObject({
      status: 'waiting',
      operator_id: null,
      skill_id: skill,
      waitinglist: 1,
      outcome: 'answered',
    });
    expect(await eventTypesFor(t, 'conversation', first.conversationId)).toEqual([
      'conversation.started',
      'message.created',
      'message.created',
      'conversation.assigned',
      'message.created',
      'conversation.transferred',
      'conversation.queued',
    ]);
    // The expert arrives: the queue is served to them.
    const mark = await eventMark();
    await changeOperatorLive(t.store.db, clientId, expert, { chat: true });
    expect(await assignmentsSince(mark)).toEqual([[first.conversationId, expert]]);
    // A skill transfer with a free skilled operator assigns directly.
    const other = await operator([site], { chat_max_number: 1, skill_list: [skill] });
    const direct = await transferConversation(t.store.db, second.conversationId, { skillId: skill }, from);
    expect(direct).toMatchObject({ toOperatorId: other, queued: null });
    expect(await conversation(second.conversationId)).toMatchObject({
      operator_id: other,
      skill_id: skill,
      status: 'open',
    });
  });

  it('a waiting conversation given by hand is answered then, with its wait recorded', async () => {
    const site = await website();
    const skill = await created('/skill', { name: `Specialty ${counter}` });
    const busy = await operator([site], { chat_max_number: 1, skill_list: [skill] });
    await start(site);
    const waiting = await start(site, { skillId: skill });
    await ageConversation(waiting.conversationId, 7_000);
    // A supervisor hands the conversation to a free operator routing would not choose (they lack its skill).
    const helper = await operator([site], { chat_max_number: 1 });
    const transfer = await transferConversation(t.store.db, waiting.conversationId, { operatorId: helper }, busy);
    expect(transfer).toMatchObject({ fromOperatorId: null, toOperatorId: helper });
    const row = await conversation(waiting.conversationId);
    expect(row).toMatchObject({ status: 'open', operator_id: helper, outcome: 'answered' });
    expect(row.wait_ms).toBeGreaterThanOrEqual(7_000);
  });

  it('refuses closed conversations and transfers by an operator of another client', async () => {
    const site = await website();
    const agent = await operator([site]);
    const other = await operator([site]);
    const started = await start(site);
    const foreign = await created(
      '/operator',
      { name: 'Foreign boss', email: 'foreign.boss@routing.example' },
      otherKey,
    );
    expect(
      await rejection(transferConversation(t.store.db, started.conversationId, { operatorId: other }, foreign)),
    ).toEqual({
      status: 400,
      message: `Value of field 'by_operator_id' is not valid. Unknown 'operator' with 'id' ${foreign}.`,
    });
    await closeLiveConversation(t.store.db, started.conversationId, { by: 'operator', operatorId: agent });
    expect(
      await rejection(transferConversation(t.store.db, started.conversationId, { operatorId: other }, agent)),
    ).toEqual({ status: 409, message: `Conversation ${started.conversationId} is closed.` });
  });
});

describe('rerouteConversationsOf: the operator left', () => {
  it('moves their open conversations to a free operator with the skill, as a system transfer, through the API disconnect too', async () => {
    const site = await website();
    const skill = await created('/skill', { name: `Returns ${counter}` });
    const leaving = await operator([site], { chat_max_number: 2, chat_priority: 10, skill_list: [skill] });
    const first = await start(site);
    const second = await start(site, { skillId: skill });
    expect([assignedTo(first), assignedTo(second)]).toEqual([leaving, leaving]);
    const unskilled = await operator([site], { chat_max_number: 1 });
    const skilled = await operator([site], { chat_max_number: 1, skill_list: [skill] });
    // Disconnected through the API (PUT /operator/{id}/live connected=0): the conversations follow at once.
    const answer = await t.api('PUT', `/operator/${leaving}/live`, { key, json: { connected: 0 } });
    expect(answer.status).toBe(200);
    expect(await conversation(second.conversationId)).toMatchObject({
      status: 'open',
      operator_id: skilled,
      skill_id: skill,
    });
    expect(await conversation(first.conversationId)).toMatchObject({ status: 'open', operator_id: unskilled });
    const notice = (await history(second.conversationId)).at(-1);
    expect(notice).toMatchObject({ body: OPERATOR_CHAT_TRANSFERRED, operator_id: null });
    expect(JSON.parse(notice?.data ?? '{}')).toEqual({
      event: 'transferred',
      from: leaving,
      to: skilled,
      target: { reason: 'operator_left' },
      by: null,
    });
    expect(await payloads(second.conversationId, 'conversation.transferred')).toMatchObject([
      { fromOperatorId: leaving, toOperatorId: skilled, byOperatorId: null, target: { reason: 'operator_left' } },
    ]);
  });

  it('puts them back in the queue, in order, when the operators still here are busy; serves them when a slot frees', async () => {
    const site = await website();
    const leaving = await operator([site], { chat_max_number: 1, chat_priority: 10 });
    const started = await start(site);
    expect(assignedTo(started)).toBe(leaving);
    const busy = await operator([site], { chat_max_number: 1 });
    const other = await start(site);
    expect(assignedTo(other)).toBe(busy);
    // Disconnecting reroutes at once (the reaction to `user.disconnected`); a second reroute finds nothing to move.
    await disconnectOperator(t.store.db, clientId, leaving);
    expect(await payloads(started.conversationId, 'conversation.transferred')).toMatchObject([
      { fromOperatorId: leaving, toOperatorId: null },
    ]);
    expect(await payloads(started.conversationId, 'conversation.queued')).toMatchObject([
      { position: 1, transferred: true },
    ]);
    expect(await rerouteConversationsOf(t.store.db, leaving)).toEqual([]);
    expect(await conversation(started.conversationId)).toMatchObject({
      status: 'waiting',
      operator_id: null,
      waitinglist: 1,
    });
    await closeLiveConversation(t.store.db, other.conversationId, { by: 'operator', operatorId: busy });
    expect(await conversation(started.conversationId)).toMatchObject({ status: 'open', operator_id: busy });
  });

  it('leaves them with the operator when nobody else is ready, and does nothing once they are back or it closed', async () => {
    const site = await website();
    const leaving = await operator([site], { chat_max_number: 2 });
    const kept = await start(site);
    const closed = await start(site);
    await closeLiveConversation(t.store.db, closed.conversationId, { by: 'visitor' });
    await disconnectOperator(t.store.db, clientId, leaving);
    expect(await rerouteConversationsOf(t.store.db, leaving)).toEqual([]);
    expect(await conversation(kept.conversationId)).toMatchObject({ status: 'open', operator_id: leaving });
    // Back before anyone rerouted: a late reroute changes nothing even though another operator is free now.
    await operator([site], { chat_max_number: 1 });
    await connectOperator(t.store.db, clientId, leaving);
    expect(await rerouteConversationsOf(t.store.db, leaving)).toEqual([]);
    expect(await conversation(kept.conversationId)).toMatchObject({ status: 'open', operator_id: leaving });
  });
});

describe('setRoutingStrategy', () => {
  it('stores the strategy, announces only a change, and names the field on bad input', async () => {
    const site = await website();
    await setRoutingStrategy(t.store.db, site, 'round_robin');
    await setRoutingStrategy(t.store.db, site, 'round_robin');
    await setRoutingStrategy(t.store.db, site, null);
    const row = await t.store.db
      .selectFrom('website')
      .select('routing_strategy')
      .where('id', '=', site)
      .executeTakeFirstOrThrow();
    expect(row.routing_strategy).toBeNull();
    expect(await eventTypesFor(t, 'website', site)).toEqual(['website.created', 'website.updated', 'website.updated']);
    expect(await rejection(setRoutingStrategy(t.store.db, site, 'random'))).toEqual({
      status: 400,
      message: "Value of field 'routing_strategy' is not valid. Expected least_loaded or round_robin.",
    });
    expect(await rejection(setRoutingStrategy(t.store.db, 999_999, 'round_robin'))).toEqual({
      status: 404,
      message: "Unknown 'website' with 'id' 999999.",
    });
  });
});
