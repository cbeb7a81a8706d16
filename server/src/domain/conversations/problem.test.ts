// Problem reports on conversations (POST /conversation/{id}/problem): the conversation shows the last one, the event
// log has it, bad bodies get 400 naming the field, other tenants 404, and agents' console sessions report as themselves.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientWithKey, partnerWithKey, type Resource, startTestApp, type TestApp } from '../../test/harness.js';

let t: TestApp;
let key: string;
let otherKey: string;
let site: number;
let julie: number;
let marc: number;
let foreignOperator: number;

const DATE_TIME = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/;

async function created(path: string, json: Record<string, unknown>, as: string = key): Promise<Resource> {
  const answer = await t.api('POST', path, { key: as, json });
  if (answer.status !== 200) throw new Error(`POST ${path} failed: ${answer.status} ${JSON.stringify(answer.body)}`);
  return answer.body.data;
}

/** A console session (bearer token) of a new operator with these roles. */
async function sessionOf(email: string, roles: string[]): Promise<{ operatorId: number; token: string }> {
  const operator = await created('/operator', { name: email.split('@')[0], email, password: 'correct horse', roles });
  const login = await t.app.inject({
    method: 'POST',
    url: '/auth/login',
    payload: { email, password: 'correct horse' },
  });
  return { operatorId: operator.id, token: String(login.json<{ data: { token: string } }>().data.token) };
}

async function asSession(token: string, method: 'GET' | 'POST', url: string, payload?: Record<string, unknown>) {
  const answer = await t.app.inject({
    method,
    url: `/api/2${url}`,
    headers: { authorization: `Bearer ${token}` },
    ...(payload !== undefined && { payload }),
  });
  return { status: answer.statusCode, body: answer.json<{ meta: { message?: string }; data: Resource }>() };
}

async function problemEvents(conversationId: number) {
  const rows = await t.store.db
    .selectFrom('event')
    .select(['type', 'payload'])
    .where('subject_type', '=', 'conversation')
    .where('subject_id', '=', conversationId)
    .where('type', '=', 'conversation.problem_reported')
    .orderBy('id')
    .execute();
  return rows.map((row) => JSON.parse(row.payload) as Record<string, unknown>);
}

beforeAll(async () => {
  t = await startTestApp();
  ({ key } = await clientWithKey(t, 'Problem Co'));
  ({ key: otherKey } = await clientWithKey(t, 'Other Problem Co'));
  site = (await created('/website', { url: 'https://problems.example' })).id;
  julie = (await created('/operator', { name: 'Julie', email: 'julie@problems.example' })).id;
  marc = (await created('/operator', { name: 'Marc', email: 'marc@problems.example' })).id;
  foreignOperator = (await created('/operator', { name: 'Elsewhere', email: 'x@elsewhere.example' }, otherKey)).id;
});
afterAll(async () => t.close());

describe('reporting a problem', () => {
  it('shows no problem until one is reported, then the report with its reporter, and appends the event', async () => {
    const conversation = await created('/conversation', { website_id: site, operator_id: julie });
    expect(conversation.problem).toBeNull();

    const answer = await t.api('POST', `/conversation/${conversation.id}/problem`, {
      key,
      json: { reason: '  The visitor was insulted by a bot <b>reply</b>  ' },
    });
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    // With a key and no operator_id, the conversation's operator reports it; the reason is kept without its spaces.
    expect(answer.body.data.problem).toEqual({
      reported_at: expect.stringMatching(DATE_TIME),
      reason: 'The visitor was insulted by a bot <b>reply</b>',
      operator_id: julie,
    });
    const read = await t.api('GET', `/conversation/${conversation.id}`, { key });
    expect(read.body.data.problem).toEqual(answer.body.data.problem);
    expect(await problemEvents(conversation.id)).toEqual([
      {
        conversationId: conversation.id,
        websiteId: site,
        clientId: expect.any(Number),
        channel: 'chat',
        visitorId: conversation.visitor_id,
        operatorId: julie,
        reason: 'The visitor was insulted by a bot <b>reply</b>',
      },
    ]);
  });

  it('replaces the report with a later one, on a closed conversation too, naming the operator given', async () => {
    const conversation = await created('/conversation', { website_id: site, operator_id: julie });
    await created(`/conversation/${conversation.id}/problem`, { reason: 'first' });
    expect((await t.api('POST', `/conversation/${conversation.id}/close`, { key, json: {} })).status).toBe(200);
    const again = await created(`/conversation/${conversation.id}/problem`, { reason: 'second', operator_id: marc });
    expect(again.status).toBe('closed');
    expect(again.problem).toMatchObject({ reason: 'second', operator_id: marc });
    expect((await problemEvents(conversation.id)).map((event) => [event.reason, event.operatorId])).toEqual([
      ['first', julie],
      ['second', marc],
    ]);
  });

  it('records no reporter when a key reports on a conversation without operator', async () => {
    const conversation = await created('/conversation', { website_id: site });
    const reported = await created(`/conversation/${conversation.id}/problem`, { reason: 'Nobody answered' });
    expect(reported.problem).toMatchObject({ reason: 'Nobody answered', operator_id: null });
  });

  it('answers 400 naming the field for a missing, empty or too long reason, or an operator of another client', async () => {
    const conversation = await created('/conversation', { website_id: site, operator_id: julie });
    const cases: Array<[Record<string, unknown>, string]> = [
      [{}, "Field 'reason' is missing."],
      [{ reason: '   ' }, "Value of field 'reason' is not valid. It must not be empty."],
      [{ reason: 'x'.repeat(2001) }, "Value of field 'reason' is not valid."],
      [{ reason: 'ok', operator_id: foreignOperator }, `Unknown 'operator' with 'id' ${foreignOperator}.`],
      [{ reason: 'ok', colour: 'red' }, 'colour'],
    ];
    for (const [json, message] of cases) {
      const answer = await t.api('POST', `/conversation/${conversation.id}/problem`, { key, json });
      expect(answer.status, JSON.stringify(json)).toBe(400);
      expect(answer.body.meta.status).toBe('fail');
      expect(answer.body.meta.message).toContain(message);
    }
    const after = await t.api('GET', `/conversation/${conversation.id}`, { key });
    expect(after.body.data.problem).toBeNull();
    expect(await problemEvents(conversation.id)).toEqual([]);
  });

  it("answers 404 for another tenant's conversation and leaves it unflagged", async () => {
    const conversation = await created('/conversation', { website_id: site, operator_id: julie });
    const { key: partnerKey } = await partnerWithKey(t, 'Problem Partner');
    for (const as of [otherKey, partnerKey]) {
      const answer = await t.api('POST', `/conversation/${conversation.id}/problem`, {
        key: as,
        json: { reason: 'x' },
      });
      expect(answer.status).toBe(404);
      expect(answer.body.meta.message).toBe(`Unknown 'conversation' with 'id' ${conversation.id}.`);
    }
    expect((await t.api('GET', `/conversation/${conversation.id}`, { key })).body.data.problem).toBeNull();
  });
});

describe("an agent's console session", () => {
  it("reports on any conversation of its client as itself, never in another operator's name", async () => {
    const agent = await sessionOf('agent@problems.example', ['operator']);
    const conversation = await created('/conversation', { website_id: site, operator_id: julie });
    const answer = await asSession(agent.token, 'POST', `/conversation/${conversation.id}/problem`, {
      reason: 'Rude visitor',
    });
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    expect(answer.body.data.problem).toMatchObject({ reason: 'Rude visitor', operator_id: agent.operatorId });

    const impersonating = await asSession(agent.token, 'POST', `/conversation/${conversation.id}/problem`, {
      reason: 'Rude visitor',
      operator_id: julie,
    });
    expect(impersonating.status).toBe(400);
    expect(impersonating.body.meta.message).toContain("'operator_id'");

    const foreign = await created(
      '/conversation',
      { website_id: (await created('/website', { url: 'https://o.example' }, otherKey)).id },
      otherKey,
    );
    const elsewhere = await asSession(agent.token, 'POST', `/conversation/${foreign.id}/problem`, { reason: 'x' });
    expect(elsewhere.status).toBe(404);
  });
});
