// Operator statistic and profile (seed 003 "Get operators statistics", "Get operator's profile") on a real database.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ConversationChannel, type ConversationStatus, MESSAGE_KIND, type MessageKind } from '../../db/schema.js';
import { clientWithKey, eventTypesFor, type Resource, startTestApp, type TestApp } from '../../test/harness.js';
import { rebuildStatistics } from '../statistics/rebuild.js';

let t: TestApp;
let key: string;
let clientId: number;
let otherKey: string;
let websiteId: number;
let visitorId: number;

let counter = 0;

async function operator(as: string = key): Promise<Resource> {
  counter += 1;
  const answer = await t.api('POST', '/operator', {
    key: as,
    json: { name: `Profile ${counter}`, email: `profile.${counter}@profile.example` },
  });
  if (answer.status !== 200) throw new Error(`operator create failed: ${JSON.stringify(answer.body)}`);
  return answer.body.data;
}

// A small local factory: conversations, messages and surveys are written directly, as the statistic reads them.
const now = () => new Date().toISOString();

async function conversation(
  operatorId: number | null,
  channel: ConversationChannel = 'chat',
  status: ConversationStatus = 'closed',
): Promise<number> {
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
      xmpp_id: `profile-${counter}`,
      created_at: now(),
      updated_at: now(),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

async function messages(conversationId: number, entries: Array<[MessageKind, number | null]>): Promise<void> {
  const existing = await t.store.db
    .selectFrom('conversation_message')
    .select('seq')
    .where('conversation_id', '=', conversationId)
    .execute();
  await t.store.db
    .insertInto('conversation_message')
    .values(
      entries.map(([kind, operatorId], index) => ({
        conversation_id: conversationId,
        seq: existing.length + index + 1,
        kind,
        operator_id: operatorId,
        body: 'Bonjour',
        created_at: now(),
      })),
    )
    .execute();
}

async function survey(
  conversationId: number,
  operatorId: number | null,
  notes: [number, number, number],
): Promise<void> {
  await t.store.db
    .insertInto('satisfaction')
    .values({
      client_id: clientId,
      website_id: websiteId,
      conversation_id: conversationId,
      operator_id: operatorId,
      note_welcome: notes[0],
      note_delay: notes[1],
      note_resolution: notes[2],
      comment: '',
      created_at: now(),
    })
    .execute();
}

/**
 * `conversation_number` and `problem` come from the statistics rollups. Rows written directly carry no event for the
 * projection to follow, so the client's hours are computed as `causerie stats rebuild` does; then the projection is
 * let finish what the API calls marked.
 */
async function buildRollups(): Promise<void> {
  await rebuildStatistics(t.store.db, { clientId });
  await t.context.statistics?.catchUp();
}

beforeAll(async () => {
  // Reads go to the database every time: these tests change the rollups under the answers, which no event announces.
  t = await startTestApp({ readCacheMs: 0 });
  ({ key, clientId } = await clientWithKey(t, 'Profile Co'));
  ({ key: otherKey } = await clientWithKey(t, 'Other Profile Co'));
  websiteId = (await t.api('POST', '/website', { key, json: { url: 'https://profile.example' } })).body.data.id;
  visitorId = (
    await t.store.db
      .insertInto('visitor')
      .values({ client_id: clientId, unique_id: 'profile-visitor', created_at: now(), updated_at: now() })
      .returning('id')
      .executeTakeFirstOrThrow()
  ).id;
});
afterAll(async () => t.close());

describe('GET /operator/{id}/statistic', () => {
  it('counts conversations on every channel, operator messages and averages satisfaction', async () => {
    const op = await operator();
    const colleague = await operator();
    const first = await conversation(op.id, 'chat', 'closed');
    const second = await conversation(op.id, 'call', 'closed');
    await conversation(op.id, 'video', 'open');
    await conversation(op.id, 'chat', 'waiting');
    const theirs = await conversation(colleague.id);
    await messages(first, [
      [MESSAGE_KIND.visitor, null],
      [MESSAGE_KIND.operator, op.id],
      [MESSAGE_KIND.operator, op.id],
      [MESSAGE_KIND.system, null],
      [MESSAGE_KIND.operator, colleague.id],
    ]);
    await messages(second, [[MESSAGE_KIND.operator, op.id]]);
    await messages(theirs, [[MESSAGE_KIND.operator, colleague.id]]);
    // (3+3+3)/3/3 = 1 and (1+2+3)/3/3 = 0.667: mean 0.8333 → 0.83.
    await survey(first, op.id, [3, 3, 3]);
    await survey(second, op.id, [1, 2, 3]);
    await survey(theirs, colleague.id, [1, 1, 1]);
    await buildRollups();
    const answer = await t.api('GET', `/operator/${op.id}/statistic`, { key });
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({
      meta: { status: 'success' },
      data: { id: op.id, conversation_number: 4, satisfaction_global_rate: 0.83, experience: 3, problem: 0 },
    });
    const theirsAnswer = await t.api('GET', `/operator/${colleague.id}/statistic`, { key });
    expect(theirsAnswer.body.data).toEqual({
      id: colleague.id,
      conversation_number: 1,
      satisfaction_global_rate: 0.33,
      experience: 2,
      problem: 0,
    });
  });

  it('counts, in `problem`, those conversations with a problem reported on them, once each, whoever reported it', async () => {
    const op = await operator();
    const colleague = await operator();
    const flagged = await conversation(op.id, 'chat', 'closed');
    const flaggedTwice = await conversation(op.id, 'call', 'open');
    await conversation(op.id, 'chat', 'closed');
    const theirs = await conversation(colleague.id);
    const report = async (id: number, json: Record<string, unknown>) =>
      expect((await t.api('POST', `/conversation/${id}/problem`, { key, json })).status).toBe(200);
    await report(flagged, { reason: 'Visitor was rude' });
    await report(flaggedTwice, { reason: 'Payment page broken' });
    await report(flaggedTwice, { reason: 'Payment page still broken' });
    // Reported by op on the colleague's conversation: the colleague's conversation has the problem.
    await report(theirs, { reason: 'Unanswered for long', operator_id: op.id });
    await buildRollups();
    // op: 3 conversations, 2 of them flagged; colleague: 1 conversation, flagged.
    expect((await t.api('GET', `/operator/${op.id}/statistic`, { key })).body.data).toMatchObject({
      conversation_number: 3,
      problem: 2,
    });
    expect((await t.api('GET', `/operator/${colleague.id}/statistic`, { key })).body.data).toMatchObject({
      conversation_number: 1,
      problem: 1,
    });
  });

  it('reads every figure from the rollups: without them they are 0 (the rate null), a rebuild brings them back', async () => {
    const op = await operator();
    const flagged = await conversation(op.id, 'chat', 'closed');
    await conversation(op.id, 'call', 'open');
    await messages(flagged, [[MESSAGE_KIND.operator, op.id]]);
    await survey(flagged, op.id, [3, 3, 3]);
    expect((await t.api('POST', `/conversation/${flagged}/problem`, { key, json: { reason: 'Rude' } })).status).toBe(
      200,
    );
    await buildRollups();
    const read = async () => (await t.api('GET', `/operator/${op.id}/statistic`, { key })).body.data;
    const full = { id: op.id, conversation_number: 2, satisfaction_global_rate: 1, experience: 1, problem: 1 };
    expect(await read()).toEqual(full);
    // The client's rollups gone (hours and the days summed from them): the counts read 0, the survey rate null.
    await t.store.db.deleteFrom('stats_hour').where('client_id', '=', clientId).execute();
    await t.store.db.deleteFrom('stats_day').where('client_id', '=', clientId).execute();
    expect(await read()).toEqual({
      ...full,
      conversation_number: 0,
      problem: 0,
      satisfaction_global_rate: null,
      experience: 0,
    });
    await rebuildStatistics(t.store.db, { clientId });
    expect(await read()).toEqual(full);
    // Days not summed in the client's zone (as after a change of client.timezone): the same counts from the hours.
    await t.store.db.deleteFrom('stats_day_zone').where('client_id', '=', clientId).execute();
    await t.store.db.deleteFrom('stats_day').where('client_id', '=', clientId).execute();
    expect(await read()).toEqual(full);
  });

  it('answers zeros and a null rate for an operator without history', async () => {
    const op = await operator();
    const answer = await t.api('GET', `/operator/${op.id}/statistic`, { key });
    expect(answer.body.data).toEqual({
      id: op.id,
      conversation_number: 0,
      satisfaction_global_rate: null,
      experience: 0,
      problem: 0,
    });
  });

  it("answers 404 for another client's operator and a deleted one", async () => {
    const op = await operator();
    const foreign = await t.api('GET', `/operator/${op.id}/statistic`, { key: otherKey });
    expect(foreign.status).toBe(404);
    expect(foreign.body.meta).toMatchObject({ status: 'fail', message: `Unknown 'operator' with 'id' ${op.id}.` });
    await t.api('DELETE', `/operator/${op.id}`, { key });
    expect((await t.api('GET', `/operator/${op.id}/statistic`, { key })).status).toBe(404);
  });
});

describe('operator profile', () => {
  const empty = { status: null, description: null, facebook: null, twitter: null, city: null, country: null };

  it('answers nulls for a profile never set', async () => {
    const op = await operator();
    const answer = await t.api('GET', `/operator/${op.id}/profile`, { key });
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ meta: { status: 'success' }, data: { user_id: op.id, ...empty } });
  });

  it('updates the fields given, keeps the others, clears empty ones, and emits user.profile_updated', async () => {
    const op = await operator();
    const first = await t.api('PUT', `/operator/${op.id}/profile`, {
      key,
      json: {
        status: 'Je suis disponible pour vous aider',
        description: 'Passionné par la menuiserie.',
        facebook: 'john.doe',
        city: 'Nantes',
        country: 'France',
      },
    });
    expect(first.status).toBe(200);
    const expected = {
      user_id: op.id,
      status: 'Je suis disponible pour vous aider',
      description: 'Passionné par la menuiserie.',
      facebook: 'john.doe',
      twitter: null,
      city: 'Nantes',
      country: 'France',
    };
    expect(first.body.data).toEqual(expected);
    const second = await t.api('PUT', `/operator/${op.id}/profile`, {
      key,
      form: { twitter: 'johndoe45', facebook: '', city: 'Nantes' },
    });
    expect(second.body.data).toEqual({ ...expected, twitter: 'johndoe45', facebook: null });
    const cleared = await t.api('PUT', `/operator/${op.id}/profile`, {
      key,
      json: { status: '  ', description: null },
    });
    expect(cleared.body.data).toMatchObject({ status: null, description: null, twitter: 'johndoe45', city: 'Nantes' });
    expect((await t.api('GET', `/operator/${op.id}/profile`, { key })).body.data).toEqual(cleared.body.data);
    expect(await eventTypesFor(t, 'operator', op.id)).toEqual([
      'user.created',
      'user.profile_updated',
      'user.profile_updated',
      'user.profile_updated',
    ]);
    const payloads = await t.store.db
      .selectFrom('event')
      .select('payload')
      .where('type', '=', 'user.profile_updated')
      .where('subject_id', '=', op.id)
      .orderBy('id')
      .execute();
    expect(payloads.map((row) => JSON.parse(row.payload) as unknown)).toEqual([
      { userId: op.id, operatorId: op.id, changed: ['status', 'description', 'facebook', 'city', 'country'] },
      { userId: op.id, operatorId: op.id, changed: ['facebook', 'twitter'] },
      { userId: op.id, operatorId: op.id, changed: ['status', 'description'] },
    ]);
  });

  it('writes and emits nothing when nothing changes', async () => {
    const op = await operator();
    await t.api('PUT', `/operator/${op.id}/profile`, { key, json: { city: 'Lyon' } });
    const same = await t.api('PUT', `/operator/${op.id}/profile`, { key, json: { city: 'Lyon', twitter: '' } });
    expect(same.status).toBe(200);
    expect(same.body.data).toEqual({ user_id: op.id, ...empty, city: 'Lyon' });
    const nothing = await t.api('PUT', `/operator/${op.id}/profile`, { key, json: {} });
    expect(nothing.status).toBe(200);
    expect(await eventTypesFor(t, 'operator', op.id)).toEqual(['user.created', 'user.profile_updated']);
    const rows = await t.store.db.selectFrom('operator_profile').selectAll().where('operator_id', '=', op.id).execute();
    expect(rows).toHaveLength(1);
  });

  it('names the field on bad input', async () => {
    const op = await operator();
    const cases: Array<[Record<string, unknown>, string]> = [
      [
        { status: 'x'.repeat(141) },
        "Value of field 'status' is not valid. Expected text of at most 140 characters, or empty to clear it.",
      ],
      [
        { description: 'x'.repeat(2001) },
        "Value of field 'description' is not valid. Expected text of at most 2000 characters, or empty to clear it.",
      ],
      [
        { city: 'x'.repeat(101) },
        "Value of field 'city' is not valid. Expected text of at most 100 characters, or empty to clear it.",
      ],
      [
        { twitter: ['a', 'b'] },
        "Value of field 'twitter' is not valid. Expected text of at most 100 characters, or empty to clear it.",
      ],
      [{ mood: 'happy' }, "Field 'mood' is not a field of 'operator'."],
      [{ user_id: 3 }, "Field 'user_id' is not a field of 'operator'."],
    ];
    for (const [json, message] of cases) {
      const answer = await t.api('PUT', `/operator/${op.id}/profile`, { key, json });
      expect({ json, status: answer.status, meta: answer.body.meta }).toMatchObject({
        json,
        status: 400,
        meta: { status: 'fail', message },
      });
    }
    // The limits are inclusive.
    expect(
      (
        await t.api('PUT', `/operator/${op.id}/profile`, {
          key,
          json: { status: 'x'.repeat(140), description: 'y'.repeat(2000), country: 'z'.repeat(100) },
        })
      ).status,
    ).toBe(200);
  });

  it("answers 404 for another client's operator and a deleted one, and writes nothing", async () => {
    const op = await operator();
    const read = await t.api('GET', `/operator/${op.id}/profile`, { key: otherKey });
    expect(read.status).toBe(404);
    expect(read.body.meta.message).toBe(`Unknown 'operator' with 'id' ${op.id}.`);
    const write = await t.api('PUT', `/operator/${op.id}/profile`, { key: otherKey, json: { city: 'Elsewhere' } });
    expect(write.status).toBe(404);
    expect((await t.api('GET', `/operator/${op.id}/profile`, { key })).body.data.city).toBeNull();
    await t.api('DELETE', `/operator/${op.id}`, { key });
    expect((await t.api('GET', `/operator/${op.id}/profile`, { key })).status).toBe(404);
    expect((await t.api('PUT', `/operator/${op.id}/profile`, { key, json: { city: 'Gone' } })).status).toBe(404);
  });
});
