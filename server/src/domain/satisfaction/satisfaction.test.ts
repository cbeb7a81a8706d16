// Satisfaction answers (seed 003 "Satisfaction", notes of seed 002): recording, notes as fractions, one per conversation, filters, isolation.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../db/schema.js';
import { ApiError } from '../../errors.js';
import {
  clientWithKey,
  eventTypesFor,
  partnerWithKey,
  type Resource,
  startTestApp,
  type TestApp,
} from '../../test/harness.js';
import { recordSatisfaction } from './commands.js';

let t: TestApp;
let key: string;
let clientId: number;
let otherKey: string;
let otherClientId: number;
let site: Resource;
let operator: Resource;
let buyer: Resource;

beforeAll(async () => {
  t = await startTestApp();
  ({ key, clientId } = await clientWithKey(t, 'Survey Co'));
  ({ key: otherKey, clientId: otherClientId } = await clientWithKey(t, 'Other Survey Co'));
  site = await create('/website', { url: 'https://survey.example' });
  operator = await create('/operator', { name: 'Helpful', email: 'helpful@survey.example' });
  buyer = await create('/visitor', { unique_id: 'survey-visitor-1' });
});
afterAll(async () => t.close());

async function create(path: string, json: Record<string, unknown>, as: string = key): Promise<Resource> {
  const answer = await t.api('POST', path, { key: as, json });
  if (answer.status !== 200) throw new Error(`POST ${path} failed: ${JSON.stringify(answer.body)}`);
  return answer.body.data;
}

let counter = 0;

/** A conversation row written directly (the conversation API belongs to another domain). */
async function conversation(
  seed: { websiteId?: number; operatorId?: number | null; visitorId?: number; clientId?: number } = {},
): Promise<number> {
  const at = new Date().toISOString();
  const row = await t.store.db
    .insertInto('conversation')
    .values({
      client_id: seed.clientId ?? clientId,
      website_id: seed.websiteId ?? site.id,
      channel: 'chat',
      source: 'web',
      visitor_id: seed.visitorId ?? buyer.id,
      operator_id: seed.operatorId === undefined ? operator.id : seed.operatorId,
      skill_id: null,
      rule_id: null,
      status: 'closed',
      page_type: null,
      user_agent: null,
      phone_number: null,
      xmpp_id: `xmpp-${++counter}`,
      created_at: at,
      answered_at: at,
      closed_at: at,
      updated_at: at,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

const answer = (json: Record<string, unknown>, as: string = key) =>
  t.api('POST', '/satisfaction', { key: as, json: { note_welcome: 3, note_delay: 3, note_resolution: 3, ...json } });

async function rowCount(table: keyof Database): Promise<number> {
  const row = await t.store.db
    .selectFrom(table)
    .select((eb) => eb.fn.countAll().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

async function listIds(path: string, as: string = key): Promise<number[]> {
  const list = await t.api('GET', `${path}${path.includes('?') ? '&' : '?'}limit=100`, { key: as });
  expect(list.status).toBe(200);
  return list.body.data.map((item) => item.id);
}

async function filledPayload(satisfactionId: number): Promise<Record<string, unknown>> {
  const row = await t.store.db
    .selectFrom('event')
    .select(['payload', 'client_id', 'type'])
    .where('subject_type', '=', 'satisfaction')
    .where('subject_id', '=', satisfactionId)
    .executeTakeFirstOrThrow();
  expect(row.type).toBe('satisfaction.filled');
  return JSON.parse(row.payload) as Record<string, unknown>;
}

describe('recording a satisfaction answer', () => {
  it('records the notes and comment, takes website and operator from the conversation, and reads them back as fractions of 3', async () => {
    const conversationId = await conversation();
    const created = await t.api('POST', '/satisfaction', {
      key,
      json: {
        conversation_id: conversationId,
        note_welcome: 3,
        note_delay: 2,
        note_resolution: 1,
        comment: '  Quick and kind.  ',
      },
    });
    expect(created.status).toBe(200);
    expect(created.body.meta).toEqual({ status: 'success' });
    const id = created.body.data.id;
    const expected = {
      id,
      note_welcome: 1,
      note_resolution: 0.33,
      node_delay: 0.67,
      note_delay: 0.67,
      comment: 'Quick and kind.',
      created_at: created.body.data.created_at,
      website_id: site.id,
      operator_id: operator.id,
      conversation_id: conversationId,
      _link: `/satisfaction/${id}`,
    };
    expect(created.body.data).toEqual(expected);
    expect(created.body.data.created_at).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
    expect((await t.api('GET', `/satisfaction/${id}`, { key })).body.data).toEqual(expected);
    const full = await t.api('GET', '/satisfaction?full=1&limit=100', { key });
    expect(full.body.data.find((item) => item.id === id)).toEqual(expected);
    const row = await t.store.db.selectFrom('satisfaction').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ note_welcome: 3, note_delay: 2, note_resolution: 1, client_id: clientId });
    expect(await eventTypesFor(t, 'satisfaction', id)).toEqual(['satisfaction.filled']);
    expect(await filledPayload(id)).toEqual({
      satisfactionId: id,
      conversationId,
      websiteId: site.id,
      operatorId: operator.id,
      visitorId: buyer.id,
      visitorUid: 'survey-visitor-1',
      notes: { welcome: 3, delay: 2, resolution: 1 },
      score: 0.67,
    });
  });

  it('scores the mean of the three notes as a fraction of 3, and leaves the comment empty when none is given', async () => {
    const perfect = await answer({ conversation_id: await conversation() });
    expect(perfect.body.data).toMatchObject({
      note_welcome: 1,
      note_delay: 1,
      node_delay: 1,
      note_resolution: 1,
      comment: '',
    });
    expect((await filledPayload(perfect.body.data.id)).score).toBe(1);
    const mixed = await answer({
      conversation_id: await conversation(),
      note_welcome: 3,
      note_delay: 3,
      note_resolution: 2,
    });
    expect((await filledPayload(mixed.body.data.id)).score).toBe(0.89);
    const worst = await answer({
      conversation_id: await conversation(),
      note_welcome: 1,
      note_delay: 1,
      note_resolution: 1,
      comment: null,
    });
    expect(worst.body.data).toMatchObject({ note_welcome: 0.33, note_delay: 0.33, note_resolution: 0.33, comment: '' });
    expect((await filledPayload(worst.body.data.id)).score).toBe(0.33);
  });

  it('accepts node_delay (seed 003 spelling) instead of note_delay, and both when they agree', async () => {
    const alias = await t.api('POST', '/satisfaction', {
      key,
      json: { conversation_id: await conversation(), note_welcome: 2, node_delay: 1, note_resolution: 3 },
    });
    expect(alias.status).toBe(200);
    expect(alias.body.data).toMatchObject({ node_delay: 0.33, note_delay: 0.33 });
    const both = await answer({ conversation_id: await conversation(), note_delay: 2, node_delay: 2 });
    expect(both.body.data).toMatchObject({ note_delay: 0.67 });
    const disagree = await answer({ conversation_id: await conversation(), note_delay: 2, node_delay: 3 });
    expect(disagree.status).toBe(400);
    expect(disagree.body.meta).toMatchObject({
      status: 'fail',
      message: "Value of field 'node_delay' is not valid. It is another name for note_delay; send one of them.",
    });
  });

  it('requires conversation_id and the three notes', async () => {
    const conversationId = await conversation();
    const full: Record<string, unknown> = {
      conversation_id: conversationId,
      note_welcome: 3,
      note_delay: 3,
      note_resolution: 3,
    };
    for (const field of ['conversation_id', 'note_welcome', 'note_delay', 'note_resolution']) {
      const json = { ...full };
      delete json[field];
      const missing = await t.api('POST', '/satisfaction', { key, json });
      expect(missing.status).toBe(400);
      expect(missing.body.meta).toMatchObject({ status: 'fail', message: `Field '${field}' is missing.` });
    }
    const empty = await t.api('POST', '/satisfaction', { key });
    expect(empty.status).toBe(400);
    expect(empty.body.meta.message).toBe("Field 'conversation_id' is missing.");
  });

  it('refuses notes outside 1..3, a long comment or an unknown field, and writes nothing', async () => {
    const conversationId = await conversation();
    const answers = await rowCount('satisfaction');
    const events = await rowCount('event');
    const noteProblem = 'Expected a whole number from 1 to 3 (3 is the most satisfied).';
    const cases: [Record<string, unknown>, string][] = [
      [{ note_welcome: 0 }, `Value of field 'note_welcome' is not valid. ${noteProblem}`],
      [{ note_delay: 4 }, `Value of field 'note_delay' is not valid. ${noteProblem}`],
      [{ node_delay: 5, note_delay: undefined }, `Value of field 'node_delay' is not valid. ${noteProblem}`],
      [{ note_resolution: 2.5 }, `Value of field 'note_resolution' is not valid. ${noteProblem}`],
      [{ note_resolution: 'good' }, `Value of field 'note_resolution' is not valid. ${noteProblem}`],
      [
        { comment: 'x'.repeat(2001) },
        "Value of field 'comment' is not valid. Expected text of at most 2000 characters.",
      ],
      [{ operator_id: operator.id }, "Field 'operator_id' is not a field of 'satisfaction'."],
      [
        { conversation_id: 'abc' },
        "Value of field 'conversation_id' is not valid. Expected a whole number identifier.",
      ],
    ];
    for (const [json, message] of cases) {
      const refused = await answer({ conversation_id: conversationId, ...json });
      expect(refused.status).toBe(400);
      expect(refused.body.meta).toMatchObject({ status: 'fail', message });
    }
    expect(await rowCount('satisfaction')).toBe(answers);
    expect(await rowCount('event')).toBe(events);
    const form = await t.api('POST', '/satisfaction', {
      key,
      form: {
        conversation_id: String(conversationId),
        note_welcome: '2',
        note_delay: '3',
        note_resolution: '1',
        comment: '',
      },
    });
    expect(form.status).toBe(200);
    expect(form.body.data).toMatchObject({ note_welcome: 0.67, note_delay: 1, note_resolution: 0.33, comment: '' });
  });

  it('keeps the operator empty for a conversation no operator took', async () => {
    const unanswered = await answer({ conversation_id: await conversation({ operatorId: null }) });
    expect(unanswered.body.data.operator_id).toBeNull();
    expect((await filledPayload(unanswered.body.data.id)).operatorId).toBeNull();
  });

  it('gives no unique id in the event for an erased visitor', async () => {
    const gone = await create('/visitor', { unique_id: 'survey-gone' });
    const conversationId = await conversation({ visitorId: gone.id });
    await t.api('DELETE', `/visitor/${gone.id}`, { key });
    const late = await answer({ conversation_id: conversationId });
    expect(late.status).toBe(200);
    expect(await filledPayload(late.body.data.id)).toMatchObject({ visitorId: gone.id, visitorUid: null });
  });
});

describe('one answer per conversation', () => {
  it('answers 409 for a second answer, leaving the first unchanged', async () => {
    const conversationId = await conversation();
    const first = await answer({ conversation_id: conversationId, note_welcome: 2 });
    const events = await rowCount('event');
    const second = await answer({ conversation_id: conversationId, note_welcome: 1 });
    expect(second.status).toBe(409);
    expect(second.body.meta).toMatchObject({
      status: 'fail',
      message: `Conversation ${conversationId} already has a satisfaction answer.`,
    });
    expect((await t.api('GET', `/satisfaction/${first.body.data.id}`, { key })).body.data).toEqual(first.body.data);
    expect(await rowCount('event')).toBe(events);
  });

  it('keeps one answer and one event when answers race', async () => {
    const conversationId = await conversation();
    const answers = await Promise.all(
      [1, 2, 3].map((note) => answer({ conversation_id: conversationId, note_welcome: note })),
    );
    expect(answers.map((one) => one.status).sort()).toEqual([200, 409, 409]);
    const rows = await t.store.db
      .selectFrom('satisfaction')
      .select('id')
      .where('conversation_id', '=', conversationId)
      .execute();
    expect(rows).toHaveLength(1);
    expect(await eventTypesFor(t, 'satisfaction', rows[0]?.id ?? 0)).toEqual(['satisfaction.filled']);
  });
});

describe('recordSatisfaction (the command the widget calls)', () => {
  it("records for the client's conversation and refuses another client's, and bad notes", async () => {
    const conversationId = await conversation();
    const id = await recordSatisfaction(t.store.db, clientId, {
      conversation_id: conversationId,
      note_welcome: 1,
      note_delay: 2,
      note_resolution: 3,
      comment: 'From the widget',
    });
    expect((await t.api('GET', `/satisfaction/${id}`, { key })).body.data).toMatchObject({
      conversation_id: conversationId,
      comment: 'From the widget',
      note_resolution: 1,
    });
    const foreign = await conversation({
      clientId: otherClientId,
      websiteId: (await create('/website', { url: 'https://w.other.example' }, otherKey)).id,
      operatorId: null,
      visitorId: (await create('/visitor', {}, otherKey)).id,
    });
    await expect(
      recordSatisfaction(t.store.db, clientId, {
        conversation_id: foreign,
        note_welcome: 1,
        note_delay: 1,
        note_resolution: 1,
      }),
    ).rejects.toThrow(`Value of field 'conversation_id' is not valid. Unknown 'conversation' with 'id' ${foreign}.`);
    const bad = recordSatisfaction(t.store.db, clientId, {
      conversation_id: await conversation(),
      note_welcome: 5,
      note_delay: 1,
      note_resolution: 1,
    });
    await expect(bad).rejects.toBeInstanceOf(ApiError);
    await expect(
      recordSatisfaction(t.store.db, clientId, {
        conversation_id: await conversation(),
        note_welcome: 1,
        note_resolution: 1,
      }),
    ).rejects.toThrow("Field 'note_delay' is missing.");
    await expect(
      recordSatisfaction(t.store.db, clientId, {
        conversation_id: conversationId,
        note_welcome: 1,
        note_delay: 1,
        note_resolution: 1,
      }),
    ).rejects.toThrow(`Conversation ${conversationId} already has a satisfaction answer.`);
  });
});

describe('satisfaction filters', () => {
  let fk: string;
  let fClientId: number;
  let siteA: Resource;
  let siteB: Resource;
  let opA: Resource;
  let opB: Resource;
  const ids: Record<'a1' | 'a2' | 'b1', number> = { a1: 0, a2: 0, b1: 0 };
  const conversations: Record<'a1' | 'a2' | 'b1', number> = { a1: 0, a2: 0, b1: 0 };

  beforeAll(async () => {
    ({ key: fk, clientId: fClientId } = await clientWithKey(t, 'Survey Filters Co'));
    siteA = await create('/website', { url: 'https://a.survey.example' }, fk);
    siteB = await create('/website', { url: 'https://b.survey.example' }, fk);
    opA = await create('/operator', { name: 'Op A', email: 'a@survey-filters.example' }, fk);
    opB = await create('/operator', { name: 'Op B', email: 'b@survey-filters.example' }, fk);
    const fVisitor = await create('/visitor', {}, fk);
    const plan: ['a1' | 'a2' | 'b1', Resource, Resource, string][] = [
      ['a1', siteA, opA, '2026-02-01T09:00:00.000Z'],
      ['a2', siteA, opB, '2026-02-02T23:59:59.000Z'],
      ['b1', siteB, opA, '2026-02-03T00:00:00.000Z'],
    ];
    for (const [name, website, op, at] of plan) {
      conversations[name] = await conversation({
        clientId: fClientId,
        websiteId: website.id,
        operatorId: op.id,
        visitorId: fVisitor.id,
      });
      ids[name] = (
        await create(
          '/satisfaction',
          { conversation_id: conversations[name], note_welcome: 3, note_delay: 3, note_resolution: 3 },
          fk,
        )
      ).id;
      // Answers are dated now; the date filters need known dates.
      await t.store.db.updateTable('satisfaction').set({ created_at: at }).where('id', '=', ids[name]).execute();
    }
  });

  it('filters by website_id, operator_id and conversation_id', async () => {
    expect(await listIds(`/satisfaction?filters[website_id]=${siteA.id}`, fk)).toEqual([ids.a2, ids.a1]);
    expect(await listIds(`/satisfaction?filters[operator_id]=${opA.id}`, fk)).toEqual([ids.b1, ids.a1]);
    expect(await listIds(`/satisfaction?filters[conversation_id]=${conversations.a2}`, fk)).toEqual([ids.a2]);
    expect(await listIds(`/satisfaction?filters[website_id]=${siteA.id}&filters[operator_id]=${opA.id}`, fk)).toEqual([
      ids.a1,
    ]);
  });

  it('filters on created_at with from and to; a date-only `to` includes its whole day', async () => {
    expect(await listIds('/satisfaction?filters[from]=2026-02-02', fk)).toEqual([ids.b1, ids.a2]);
    expect(await listIds('/satisfaction?filters[to]=2026-02-02', fk)).toEqual([ids.a2, ids.a1]);
    expect(
      await listIds('/satisfaction?filters[from]=2026-02-01 09:00:01&filters[to]=2026-02-02 23:59:59', fk),
    ).toEqual([ids.a2]);
  });

  it('refuses an unknown filter or a malformed value', async () => {
    const unknown = await t.api('GET', '/satisfaction?filters[note]=3', { key: fk });
    expect(unknown.status).toBe(400);
    expect(unknown.body.meta.message).toBe(
      "Filter 'note' is not supported for 'satisfaction'. Supported filters: website_id, operator_id, conversation_id, from, to.",
    );
    const bad = await t.api('GET', '/satisfaction?filters[operator_id]=me', { key: fk });
    expect(bad.status).toBe(400);
    expect(bad.body.meta.message).toBe(
      "Value of field 'filters[operator_id]' is not valid. Expected a whole number identifier.",
    );
  });
});

describe('satisfaction isolation', () => {
  it("refuses another client's conversation as an unknown one, and answers 404 for another client's answer", async () => {
    const foreignSite = await create('/website', { url: 'https://iso.survey.example' }, otherKey);
    const foreignVisitor = await create('/visitor', {}, otherKey);
    const foreignConversation = await conversation({
      clientId: otherClientId,
      websiteId: foreignSite.id,
      operatorId: null,
      visitorId: foreignVisitor.id,
    });
    const answers = await rowCount('satisfaction');
    const poach = await answer({ conversation_id: foreignConversation });
    expect(poach.status).toBe(400);
    expect(poach.body.meta).toMatchObject({
      status: 'fail',
      message: `Value of field 'conversation_id' is not valid. Unknown 'conversation' with 'id' ${foreignConversation}.`,
    });
    const absent = await answer({ conversation_id: 987654 });
    expect(absent.body.meta.message).toBe(
      "Value of field 'conversation_id' is not valid. Unknown 'conversation' with 'id' 987654.",
    );
    expect(await rowCount('satisfaction')).toBe(answers);

    const theirs = await answer({ conversation_id: foreignConversation }, otherKey);
    expect(theirs.status).toBe(200);
    const read = await t.api('GET', `/satisfaction/${theirs.body.data.id}`, { key });
    expect(read.status).toBe(404);
    expect(read.body.meta).toMatchObject({
      status: 'fail',
      message: `Unknown 'satisfaction' with 'id' ${theirs.body.data.id}.`,
    });
    expect(await listIds('/satisfaction')).not.toContain(theirs.body.data.id);
    expect(await listIds(`/satisfaction?filters[conversation_id]=${foreignConversation}`)).toEqual([]);
  });

  it("lets a partner key record an answer for a managed client's conversation, and not for others", async () => {
    const partner = await partnerWithKey(t, 'Survey Partner');
    const managed = await clientWithKey(t, 'Managed Survey Co', partner.key);
    const managedSite = await create('/website', { url: 'https://managed.survey.example' }, managed.key);
    const managedVisitor = await create('/visitor', {}, managed.key);
    const managedConversation = await conversation({
      clientId: managed.clientId,
      websiteId: managedSite.id,
      operatorId: null,
      visitorId: managedVisitor.id,
    });
    const made = await answer({ conversation_id: managedConversation }, partner.key);
    expect(made.status).toBe(200);
    const row = await t.store.db
      .selectFrom('satisfaction')
      .select('client_id')
      .where('id', '=', made.body.data.id)
      .executeTakeFirstOrThrow();
    expect(row.client_id).toBe(managed.clientId);
    const mine = await conversation();
    const refused = await answer({ conversation_id: mine }, partner.key);
    expect(refused.status).toBe(400);
    expect(refused.body.meta.message).toBe(
      `Value of field 'conversation_id' is not valid. Unknown 'conversation' with 'id' ${mine}.`,
    );
  });
});

describe('OpenAPI document', () => {
  it('documents the satisfaction routes with tags, summaries and filters', async () => {
    const answer = await t.app.inject({ method: 'GET', url: '/openapi.json' });
    const doc = answer.json<{
      paths: Record<string, Record<string, { tags?: string[]; summary?: string; parameters?: { name: string }[] }>>;
    }>();
    const expected: [string, string[]][] = [
      ['/api/2/satisfaction', ['get', 'post']],
      ['/api/2/satisfaction/{id}', ['get']],
    ];
    for (const [path, methods] of expected) {
      for (const method of methods) {
        const operation = doc.paths[path]?.[method];
        expect(operation?.tags).toEqual(['Satisfaction']);
        expect(operation?.summary).toBeTruthy();
      }
    }
    const filters = (doc.paths['/api/2/satisfaction']?.get?.parameters ?? []).map((parameter) => parameter.name);
    expect(filters).toEqual(
      expect.arrayContaining([
        'filters[website_id]',
        'filters[operator_id]',
        'filters[conversation_id]',
        'filters[from]',
        'filters[to]',
      ]),
    );
  });
});
