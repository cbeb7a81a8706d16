// Issue 22: tags get a colour and can be archived (no longer offered, kept where they were used), operators change an
// open conversation's tags (one `conversation.updated`), the list filters by tag, and a closed conversation reopens.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientWithKey, eventTypesFor, type Resource, startTestApp, type TestApp } from '../../test/harness.js';

let t: TestApp;
let key: string;
let site: number;
let julie: number;
let marc: number;
const suffix = Math.random().toString(36).slice(2, 8);

async function created(path: string, json: Record<string, unknown>, as: string = key): Promise<Resource> {
  const answer = await t.api('POST', path, { key: as, json });
  if (answer.status !== 200) throw new Error(`POST ${path} failed: ${answer.status} ${JSON.stringify(answer.body)}`);
  return answer.body.data;
}

/** A console session (bearer token) of a new operator. */
async function sessionOf(name: string): Promise<{ operatorId: number; token: string }> {
  const email = `${name}.${suffix}@tag-details.example`;
  const operator = await created('/operator', { name, email, password: 'correct horse', roles: ['operator'] });
  const login = await t.app.inject({
    method: 'POST',
    url: '/auth/login',
    payload: { email, password: 'correct horse' },
  });
  return { operatorId: operator.id, token: String(login.json<{ data: { token: string } }>().data.token) };
}

async function conversationEvents(conversationId: number): Promise<Array<Record<string, unknown>>> {
  const rows = await t.store.db
    .selectFrom('event')
    .select('payload')
    .where('type', '=', 'conversation.updated')
    .where('subject_type', '=', 'conversation')
    .where('subject_id', '=', conversationId)
    .orderBy('id')
    .execute();
  return rows.map((row) => JSON.parse(row.payload) as Record<string, unknown>);
}

beforeAll(async () => {
  t = await startTestApp();
  ({ key } = await clientWithKey(t, `Tag details ${suffix}`));
  site = (await created('/website', { url: `https://details-${suffix}.example` })).id;
  julie = (await created('/operator', { name: 'Julie', email: `julie.${suffix}@tag-details.example` })).id;
  marc = (await created('/operator', { name: 'Marc', email: `marc.${suffix}@tag-details.example` })).id;
});
afterAll(async () => t.close());

describe('tag colour and archive', () => {
  it('stores a colour in lower case, clears it, and archives a tag (tag.updated names what changed)', async () => {
    const tag = await created('/tag', { name: `Refund ${suffix}`, colour: '#2F855A' });
    expect(tag).toMatchObject({ colour: '#2f855a', archived: false });
    const plain = await created('/tag', { name: `Plain ${suffix}` });
    expect(plain).toMatchObject({ colour: null, archived: false });

    const archived = await t.api('PUT', `/tag/${tag.id}`, { key, json: { archived: true, colour: null } });
    expect(archived.status).toBe(200);
    expect(archived.body.data).toMatchObject({ colour: null, archived: true, name: `Refund ${suffix}` });
    expect(await eventTypesFor(t, 'tag', tag.id)).toEqual(['tag.created', 'tag.updated']);
    const event = await t.store.db
      .selectFrom('event')
      .select('payload')
      .where('type', '=', 'tag.updated')
      .where('subject_id', '=', tag.id)
      .executeTakeFirstOrThrow();
    expect(JSON.parse(event.payload).changed).toEqual(['colour', 'archived']);

    const offered = await t.api('GET', '/tag?filters[archived]=0&limit=100', { key });
    expect(offered.body.data.map((row: Resource) => row.id)).toContain(plain.id);
    expect(offered.body.data.map((row: Resource) => row.id)).not.toContain(tag.id);
    const onlyArchived = await t.api('GET', '/tag?filters[archived]=1&limit=100', { key });
    expect(onlyArchived.body.data.map((row: Resource) => row.id)).toEqual([tag.id]);
  });

  it('answers 400 naming the field for a colour that is not #rrggbb and for a bad archived filter', async () => {
    for (const colour of ['red', '#12345', '#1234567', '#GGGGGG', 12]) {
      const answer = await t.api('POST', '/tag', { key, json: { name: `Bad ${suffix} ${String(colour)}`, colour } });
      expect(answer.status, String(colour)).toBe(400);
      expect(answer.body.meta.message).toContain("'colour'");
    }
    const tag = await created('/tag', { name: `Colourless ${suffix}` });
    const update = await t.api('PUT', `/tag/${tag.id}`, { key, json: { colour: 'blue' } });
    expect(update.status).toBe(400);
    expect(update.body.meta.message).toContain("'colour'");
    const filter = await t.api('GET', '/tag?filters[archived]=maybe', { key });
    expect(filter.status).toBe(400);
    expect(filter.body.meta.message).toContain('filters[archived]');
  });

  it('keeps an archived tag on its conversations and in filters[tag_id], but refuses adding it elsewhere', async () => {
    const tag = await created('/tag', { name: `Old ${suffix}` });
    const other = await created('/tag', { name: `Current ${suffix}` });
    const tagged = await created('/conversation', { website_id: site, operator_id: julie, tag_list: [tag.id] });
    const untagged = await created('/conversation', { website_id: site, operator_id: julie });
    expect((await t.api('PUT', `/tag/${tag.id}`, { key, json: { archived: true } })).status).toBe(200);

    const kept = await t.api('PUT', `/conversation/${tagged.id}`, { key, json: { tag_list: [tag.id, other.id] } });
    expect(kept.status).toBe(200);
    expect(kept.body.data.tag_list).toEqual([tag.id, other.id].sort((a, b) => a - b));

    const refused = await t.api('PUT', `/conversation/${untagged.id}`, { key, json: { tag_list: [tag.id] } });
    expect(refused.status).toBe(400);
    expect(refused.body.meta.message).toContain("'tag_list'");
    expect(refused.body.meta.message).toContain('archived');

    const filtered = await t.api('GET', `/conversation?filters[tag_id]=${tag.id}`, { key });
    expect(filtered.body.data.map((row: Resource) => row.id)).toEqual([tagged.id]);
  });
});

describe('tags of an open conversation', () => {
  it("an operator's console session adds and removes tags: one conversation.updated each, seen by the tag filter", async () => {
    const agent = await sessionOf('agent');
    const tag = await created('/tag', { name: `Billing ${suffix}`, colour: '#c53030' });
    const conversation = await created('/conversation', { website_id: site, operator_id: agent.operatorId });
    const put = (tagList: number[]) =>
      t.app.inject({
        method: 'PUT',
        url: `/api/2/conversation/${conversation.id}`,
        headers: { authorization: `Bearer ${agent.token}` },
        payload: { tag_list: tagList },
      });
    const added = await put([tag.id]);
    expect(added.statusCode, added.body).toBe(200);
    expect(added.json<{ data: Resource }>().data).toMatchObject({ status: 'open', tag_list: [tag.id] });
    const byTag = await t.api('GET', `/conversation?filters[tag_id]=${tag.id}&filters[status]=open`, { key });
    expect(byTag.body.data.map((row: Resource) => row.id)).toEqual([conversation.id]);

    expect((await put([])).statusCode).toBe(200);
    expect((await t.api('GET', `/conversation?filters[tag_id]=${tag.id}`, { key })).body.data).toEqual([]);
    const events = await conversationEvents(conversation.id);
    expect(events.map((event) => [event.changed, event.tagList])).toEqual([
      [['tag_list'], [tag.id]],
      [['tag_list'], []],
    ]);
  });
});

describe('reopening a closed conversation', () => {
  it('goes back to the operator who had it, with an entry and one conversation.updated; a second reopening is 409', async () => {
    const conversation = await created('/conversation', {
      website_id: site,
      operator_id: julie,
      history: [[2, '2026-12-01 10:00:00', 'Where is my parcel?']],
      created_at: '2026-12-01 10:00:00',
    });
    expect((await t.api('POST', `/conversation/${conversation.id}/close`, { key, json: {} })).status).toBe(200);
    const reopened = await t.api('POST', `/conversation/${conversation.id}/reopen`, { key, json: {} });
    expect(reopened.status, JSON.stringify(reopened.body)).toBe(200);
    expect(reopened.body.data).toMatchObject({ status: 'open', closed_at: null, operator_id: julie });
    const history = reopened.body.data.history as unknown[][];
    const last = history[history.length - 1] ?? [];
    expect(last[0]).toBe(3);
    expect(last[2]).toBe('OPERATOR_CHAT_ASSIGNED');
    expect((await conversationEvents(conversation.id)).at(-1)).toMatchObject({
      changed: ['status'],
      operatorId: julie,
    });

    const again = await t.api('POST', `/conversation/${conversation.id}/reopen`, { key, json: {} });
    expect(again.status).toBe(409);
    // It continues: a new message is accepted, and it closes again.
    const message = await t.api('POST', `/conversation/${conversation.id}/message`, {
      key,
      json: { type: 'visitor', text: 'Still nothing' },
    });
    expect(message.status).toBe(200);
    expect((await t.api('POST', `/conversation/${conversation.id}/close`, { key, json: {} })).status).toBe(200);
  });

  it('a console session takes it itself; a key may name operator_id; none at all is 400 naming operator_id', async () => {
    const agent = await sessionOf('reopener');
    const conversation = await created('/conversation', { website_id: site, operator_id: julie });
    await t.api('POST', `/conversation/${conversation.id}/close`, { key, json: {} });
    const bySession = await t.app.inject({
      method: 'POST',
      url: `/api/2/conversation/${conversation.id}/reopen`,
      headers: { authorization: `Bearer ${agent.token}` },
      payload: {},
    });
    expect(bySession.statusCode, bySession.body).toBe(200);
    expect(bySession.json<{ data: Resource }>().data).toMatchObject({ status: 'open', operator_id: agent.operatorId });
    expect((await conversationEvents(conversation.id)).at(-1)).toMatchObject({
      changed: ['status', 'operator_id'],
      previousOperatorId: julie,
    });

    const named = await created('/conversation', { website_id: site, operator_id: julie });
    await t.api('POST', `/conversation/${named.id}/close`, { key, json: {} });
    const toMarc = await t.api('POST', `/conversation/${named.id}/reopen`, { key, json: { operator_id: marc } });
    expect(toMarc.body.data).toMatchObject({ status: 'open', operator_id: marc });

    const orphan = await created('/conversation', { website_id: site });
    await t.api('POST', `/conversation/${orphan.id}/close`, { key, json: { operator_closed: false } });
    const refused = await t.api('POST', `/conversation/${orphan.id}/reopen`, { key, json: {} });
    expect(refused.status).toBe(400);
    expect(refused.body.meta.message).toContain("'operator_id'");
    const open = await t.api('POST', `/conversation/${named.id}/reopen`, { key, json: {} });
    expect(open.status).toBe(409);
  });
});
