// Targeting rules end to end on a real database: the REST resource (validation, tenancy, soft delete, events), the
// widget's configuration, the report beacon (counters add up, bounds, 400s, 429) and what conversations remember.
import type { AddressInfo } from 'node:net';
import { availableOperator } from '@causerie/test-support/live-sockets';
import { RealtimeClient } from '@causerie/test-support/realtime-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ADMIN_KEY,
  clientWithKey,
  eventTypesFor,
  type Resource,
  startTestApp,
  type TestApp,
} from '../../test/harness.js';
import { hourOf } from './counters.js';

let t: TestApp;
let base: string;
let key: string;
let clientId: number;
let otherKey: string;
let site: number;
let otherSite: number;
const sockets: RealtimeClient[] = [];

async function create(path: string, json: Record<string, unknown>, as: string = key): Promise<Resource> {
  const answer = await t.api('POST', path, { key: as, json });
  if (answer.status !== 200) throw new Error(`POST ${path} failed: ${JSON.stringify(answer.body)}`);
  return answer.body.data;
}

const rule = (json: Record<string, unknown> = {}, as: string = key) =>
  create('/targeting_rule', { name: 'Product pages', website_id: site, ...json }, as);

async function report(body: unknown, headers: Record<string, string> = {}, address = '10.0.0.1') {
  const answer = await t.app.inject({
    method: 'POST',
    url: '/widget/targeting/report',
    remoteAddress: address,
    headers: { 'content-type': 'text/plain;charset=UTF-8', ...headers },
    payload: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return {
    status: answer.statusCode,
    body: answer.json<{ meta: { status: string; message?: string }; data?: unknown }>(),
  };
}

async function counters(ruleId: number) {
  return t.store.db
    .selectFrom('targeting_rule_counter')
    .selectAll()
    .where('rule_id', '=', ruleId)
    .orderBy('page_type')
    .execute();
}

beforeAll(async () => {
  t = await startTestApp();
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
  ({ key, clientId } = await clientWithKey(t, 'Targeting Co'));
  ({ key: otherKey } = await clientWithKey(t, 'Other Co'));
  site = (await create('/website', { url: 'https://targeting.example' })).id;
  otherSite = (await create('/website', { url: 'https://other-targeting.example' }, otherKey)).id;
});
afterAll(async () => {
  await Promise.all(sockets.map((socket) => socket.close()));
  await t.close();
});

describe('/api/2/targeting_rule', () => {
  it('creates a rule with every field and reads it back, with targeting_rule.created', async () => {
    const group = await create('/group', { name: 'Sales' });
    const created = await rule({
      name: ' Cart invitation ',
      channel: 'chat',
      status: 'active',
      priority: 3,
      conditions: {
        match: 'any',
        list: [
          { type: 'page_url', operator: 'matches', value: '/products?/\\d+' },
          { type: 'cart_amount', operator: 'gt', value: 50 },
          { type: 'country', operator: 'equals', value: 'fr' },
          { type: 'device', operator: 'not_equals', value: 'Mobile' },
          { type: 'returning_visitor', operator: 'equals', value: true },
        ],
      },
      action: 'invitation',
      invitation_message: 'Need help with your order?',
      invitation_delay_seconds: 5,
      group_id: group.id,
      only_when_available: true,
    });
    expect(created).toMatchObject({
      name: 'Cart invitation',
      website_id: site,
      channel: 'chat',
      status: 'active',
      priority: 3,
      action: 'invitation',
      invitation_message: 'Need help with your order?',
      invitation_delay_seconds: 5,
      group_id: group.id,
      skill_id: null,
      only_when_available: true,
      client_id: clientId,
      _link: `/targeting_rule/${created.id}`,
    });
    // Stored normalised: country upper case, device lower case.
    expect(created.conditions).toEqual({
      match: 'any',
      list: [
        { type: 'page_url', operator: 'matches', value: '/products?/\\d+' },
        { type: 'cart_amount', operator: 'gt', value: 50 },
        { type: 'country', operator: 'equals', value: 'FR' },
        { type: 'device', operator: 'not_equals', value: 'mobile' },
        { type: 'returning_visitor', operator: 'equals', value: true },
      ],
    });
    expect((await t.api('GET', `/targeting_rule/${created.id}`, { key })).body.data).toEqual(created);
    expect(await eventTypesFor(t, 'targeting_rule', created.id)).toEqual(['targeting_rule.created']);
  });

  it('defaults: chat, active, priority 1, a button on every page, not only when available', async () => {
    const created = await rule({ name: 'Everywhere' });
    expect(created).toMatchObject({
      channel: 'chat',
      status: 'active',
      priority: 1,
      action: 'button',
      conditions: { match: 'all', list: [] },
      invitation_message: null,
      invitation_delay_seconds: null,
      only_when_available: false,
    });
  });

  it('refuses bad input with 400 naming the field', async () => {
    const refusals: [Record<string, unknown>, string][] = [
      [{ website_id: undefined }, 'website_id'],
      [{ name: '  ' }, 'name'],
      [{ channel: 'fax' }, 'channel'],
      [{ status: 'maybe' }, 'status'],
      [{ priority: 0 }, 'priority'],
      [{ action: 'popup' }, 'action'],
      [{ action: 'invitation' }, 'invitation_message'],
      [{ action: 'invitation', invitation_message: 'Hi', invitation_delay_seconds: -1 }, 'invitation_delay_seconds'],
      [{ conditions: { match: 'most' } }, 'conditions[match]'],
      [
        { conditions: { list: [{ type: 'weather', operator: 'equals', value: 'sunny' }] } },
        'conditions[list][0][type]',
      ],
      [{ conditions: { list: [{ type: 'page_url', operator: 'gt', value: 'x' }] } }, 'conditions[list][0][operator]'],
      [
        {
          conditions: {
            list: [
              { type: 'page_url', operator: 'contains', value: 'a' },
              { type: 'page_url', operator: 'matches', value: '([a-z' },
            ],
          },
        },
        'conditions[list][1][value]',
      ],
      [
        { conditions: { list: [{ type: 'time_on_page', operator: 'gte', value: 'soon' }] } },
        'conditions[list][0][value]',
      ],
      [
        { conditions: { list: [{ type: 'device', operator: 'equals', value: 'watch' }] } },
        'conditions[list][0][value]',
      ],
      [
        { conditions: { list: [{ type: 'country', operator: 'equals', value: 'France' }] } },
        'conditions[list][0][value]',
      ],
      [{ group_id: 999999 }, 'group_id'],
      [{ skill_id: 999999 }, 'skill_id'],
      [{ website_id: 999999 }, 'website_id'],
    ];
    for (const [change, field] of refusals) {
      const json: Record<string, unknown> = { name: 'Bad', website_id: site, ...change };
      for (const [name, value] of Object.entries(json)) if (value === undefined) delete json[name];
      const answer = await t.api('POST', '/targeting_rule', { key, json });
      expect(answer.status, JSON.stringify(change)).toBe(400);
      expect(answer.body.meta.status).toBe('fail');
      expect(answer.body.meta.message, JSON.stringify(change)).toContain(`'${field}'`);
    }
    const bad = await t.api('POST', '/targeting_rule', {
      key,
      json: {
        name: 'Bad',
        website_id: site,
        conditions: { list: [{ type: 'page_url', operator: 'matches', value: '([a-z' }] },
      },
    });
    expect(bad.body.meta.message).toMatch(/Not a valid regular expression/);
    const skill = await create('/skill', { name: 'Billing' });
    const group = await create('/group', { name: 'Billing group' });
    const both = await t.api('POST', '/targeting_rule', {
      key,
      json: { name: 'Both', website_id: site, skill_id: skill.id, group_id: group.id },
    });
    expect(both.status).toBe(400);
    expect(both.body.meta.message).toMatch(/a group or to a skill, not both/);
    // Another client's group and website are unknown to this key.
    const theirGroup = await create('/group', { name: 'Theirs' }, otherKey);
    expect(
      (await t.api('POST', '/targeting_rule', { key, json: { name: 'X', website_id: site, group_id: theirGroup.id } }))
        .status,
    ).toBe(400);
    expect(
      (await t.api('POST', '/targeting_rule', { key, json: { name: 'X', website_id: otherSite } })).body.meta.message,
    ).toContain("'website_id'");
  });

  it('lists with filters by website, channel and status, in the paging conventions', async () => {
    const second = (await create('/website', { url: 'https://second-targeting.example' })).id;
    const video = await rule({ name: 'Video', website_id: second, channel: 'video' });
    const off = await rule({ name: 'Off', website_id: second, status: 'inactive' });
    const list = await t.api('GET', `/targeting_rule?filters[website_id]=${second}`, { key });
    expect(list.status).toBe(200);
    expect(list.body.data).toEqual([
      { id: off.id, _link: `/targeting_rule/${off.id}` },
      { id: video.id, _link: `/targeting_rule/${video.id}` },
    ]);
    expect(list.body.pagination).toMatchObject({ page: 1, count: 2 });
    const channel = await t.api('GET', `/targeting_rule?filters[website_id]=${second}&filters[channel]=video&full=1`, {
      key,
    });
    expect(channel.body.data.map((item) => [item.id, item.name])).toEqual([[video.id, 'Video']]);
    const status = await t.api('GET', `/targeting_rule?filters[website_id]=${second}&filters[status]=inactive`, {
      key,
    });
    expect(status.body.data.map((item) => item.id)).toEqual([off.id]);
    const bad = await t.api('GET', '/targeting_rule?filters[status]=sleeping', { key });
    expect(bad.status).toBe(400);
    expect(bad.body.meta.message).toContain("'filters[status]'");
    const unknown = await t.api('GET', '/targeting_rule?filters[color]=red', { key });
    expect(unknown.status).toBe(400);
    const paged = await t.api('GET', `/targeting_rule?filters[website_id]=${second}&limit=1&page=2`, { key });
    expect(paged.body.data.map((item) => item.id)).toEqual([video.id]);
    expect(paged.body.pagination).toMatchObject({ page: 2, limit: 1, count: 2 });
  });

  it("keeps tenants apart: another client's key neither lists nor reads, changes or deletes the rule (404)", async () => {
    const mine = await rule({ name: 'Mine' });
    const theirs = await t.api('GET', '/targeting_rule?limit=100', { key: otherKey });
    expect(theirs.body.data.map((item) => item.id)).not.toContain(mine.id);
    for (const [method, json] of [
      ['GET', undefined],
      ['PUT', { name: 'Stolen' }],
      ['DELETE', undefined],
    ] as const) {
      const answer = await t.api(method, `/targeting_rule/${mine.id}`, { key: otherKey, ...(json && { json }) });
      expect(answer.status, method).toBe(404);
      expect(answer.body.meta.message).toBe(`Unknown 'targeting_rule' with 'id' ${mine.id}.`);
    }
    expect((await t.api('GET', `/targeting_rule/${mine.id}`, { key })).body.data.name).toBe('Mine');
    // The platform key sees every client's rules.
    expect((await t.api('GET', `/targeting_rule/${mine.id}`, { key: ADMIN_KEY })).status).toBe(200);
  });

  it('updates (conditions replaced, invitation fields dropped with a button), disables, and emits updated', async () => {
    const created = await rule({ name: 'Changing', action: 'invitation', invitation_message: 'Hello!' });
    const skill = await create('/skill', { name: 'Returns' });
    const changed = await t.api('PUT', `/targeting_rule/${created.id}`, {
      key,
      json: {
        status: 'inactive',
        skill_id: skill.id,
        conditions: { list: [{ type: 'pages_viewed', operator: 'gte', value: 3 }] },
      },
    });
    expect(changed.status).toBe(200);
    expect(changed.body.data).toMatchObject({
      name: 'Changing',
      status: 'inactive',
      skill_id: skill.id,
      action: 'invitation',
      invitation_message: 'Hello!',
      invitation_delay_seconds: 0,
      conditions: { match: 'all', list: [{ type: 'pages_viewed', operator: 'gte', value: 3 }] },
    });
    const button = await t.api('PUT', `/targeting_rule/${created.id}`, { key, json: { action: 'button' } });
    expect(button.body.data).toMatchObject({
      action: 'button',
      invitation_message: null,
      invitation_delay_seconds: null,
    });
    const refused = await t.api('PUT', `/targeting_rule/${created.id}`, { key, json: { website_id: otherSite } });
    expect(refused.status).toBe(400);
    expect(await eventTypesFor(t, 'targeting_rule', created.id)).toEqual([
      'targeting_rule.created',
      'targeting_rule.updated',
      'targeting_rule.updated',
    ]);
  });

  it('deletes softly: 404 and unlisted afterwards, the row and its counters kept, targeting_rule.deleted', async () => {
    const created = await rule({ name: 'Doomed' });
    expect(
      (await report({ website_id: site, entries: [{ rule_id: created.id, displays: 2 }] }, {}, '10.0.9.1')).status,
    ).toBe(200);
    const deleted = await t.api('DELETE', `/targeting_rule/${created.id}`, { key });
    expect(deleted.status).toBe(200);
    expect(deleted.body.meta.status).toBe('success');
    expect((await t.api('GET', `/targeting_rule/${created.id}`, { key })).status).toBe(404);
    expect((await t.api('DELETE', `/targeting_rule/${created.id}`, { key })).status).toBe(404);
    const listed = await t.api('GET', '/targeting_rule?limit=100', { key });
    expect(listed.body.data.map((item) => item.id)).not.toContain(created.id);
    const row = await t.store.db
      .selectFrom('targeting_rule')
      .select('deleted_at')
      .where('id', '=', created.id)
      .executeTakeFirstOrThrow();
    expect(row.deleted_at).not.toBeNull();
    expect((await counters(created.id)).map((counter) => counter.displays)).toEqual([2]);
    expect(await eventTypesFor(t, 'targeting_rule', created.id)).toEqual([
      'targeting_rule.created',
      'targeting_rule.deleted',
    ]);
  });

  it("an operator's console session below manager may not manage rules", async () => {
    await create('/operator', { name: 'Agent', email: 'agent@targeting.example', password: 'agent-secret-1' });
    const login = await t.app.inject({
      method: 'POST',
      url: '/auth/login',
      payload: { email: 'agent@targeting.example', password: 'agent-secret-1' },
    });
    const token = login.json<{ data: { token: string } }>().data.token;
    const answer = await t.api('GET', '/targeting_rule', { headers: { authorization: `Bearer ${token}` } });
    expect(answer.status).toBe(403);
  });
});

describe('GET /widget/config', () => {
  it("gives the website's active rules in priority order with their availability, nothing of operators", async () => {
    const page = (await create('/website', { url: 'https://config-targeting.example' })).id;
    const late = await rule({ website_id: page, name: 'Late', priority: 5 });
    const first = await rule({
      website_id: page,
      name: 'First',
      priority: 1,
      action: 'invitation',
      invitation_message: 'Hi there',
      invitation_delay_seconds: 2,
      only_when_available: true,
      conditions: { list: [{ type: 'page_type', operator: 'equals', value: 'product' }] },
    });
    await rule({ website_id: page, name: 'Inactive', status: 'inactive' });
    const gone = await rule({ website_id: page, name: 'Gone' });
    await t.api('DELETE', `/targeting_rule/${gone.id}`, { key });

    const read = async () => {
      const answer = await t.app.inject({ method: 'GET', url: `/widget/config?w=${page}` });
      expect(answer.statusCode).toBe(200);
      return answer.json<{
        rules: { id: number; availability: string }[];
        country: string | null;
        availability: string;
      }>();
    };
    const config = await read();
    // The website's own chat availability, what the widget says before the visitor types: nobody yet.
    expect(config.availability).toBe('offline');
    expect(config.rules.map((item) => item.id)).toEqual([first.id, late.id]);
    expect(config.rules[0]).toEqual({
      id: first.id,
      channel: 'chat',
      priority: 1,
      conditions: { match: 'all', list: [{ type: 'page_type', operator: 'equals', value: 'product' }] },
      action: 'invitation',
      invitation_message: 'Hi there',
      invitation_delay_seconds: 2,
      only_when_available: true,
      availability: 'offline',
    });

    // An operator of the website, available with one slot: available; once their slot is taken: busy.
    const email = 'ready@targeting.example';
    await create('/operator', {
      name: 'Ready',
      email,
      password: 'ready-secret-1',
      website_list: [page],
      chat_max_number: 1,
    });
    const login = await t.app.inject({
      method: 'POST',
      url: '/auth/login',
      payload: { email, password: 'ready-secret-1' },
    });
    sockets.push(await availableOperator(base, login.json<{ data: { token: string } }>().data.token));
    expect((await read()).rules.map((item) => item.availability)).toEqual(['available', 'available']);
    expect((await read()).availability).toBe('available');
    const started = await t.app.inject({
      method: 'POST',
      url: '/realtime/visitor/messages',
      payload: { website_id: page, text: 'Taking the slot' },
    });
    expect(started.statusCode).toBe(200);
    expect((await read()).rules.map((item) => item.availability)).toEqual(['busy', 'busy']);
    expect((await read()).availability).toBe('busy');
    expect(JSON.stringify(await read())).not.toContain(`"operator_id"`);

    const country = await t.app.inject({
      method: 'GET',
      url: `/widget/config?w=${page}`,
      headers: { 'cf-ipcountry': 'be' },
    });
    expect(country.json<{ country: string }>().country).toBe('BE');
    expect((await t.app.inject({ method: 'GET', url: '/widget/config?w=999999' })).statusCode).toBe(404);
    expect((await t.app.inject({ method: 'GET', url: '/widget/config?w=abc' })).statusCode).toBe(400);
  });
});

describe('POST /widget/targeting/report', () => {
  it('adds reports to one counter row per hour, channel, rule and page type', async () => {
    const chat = await rule({ name: 'Counted' });
    const call = await rule({ name: 'Counted call', channel: 'call' });
    const first = await report({
      website_id: site,
      entries: [
        { rule_id: chat.id, page_type: 'product', displays: 2, triggers: 3, withheld_offline: 1 },
        { rule_id: chat.id, page_type: 'product', displays: 1 },
        { rule_id: chat.id, triggers: 1, withheld_busy: 1 },
        { rule_id: call.id, page_type: 'cart', displays: 1, triggers: 1 },
      ],
    });
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    expect(first.body.data).toEqual({ accepted: 4, ignored: 0 });
    // A JSON body counts as well (sendBeacon sends text; fetch may send JSON).
    const second = await report(
      { website_id: site, entries: [{ rule_id: chat.id, page_type: 'product', displays: 4, triggers: 4 }] },
      { 'content-type': 'application/json' },
    );
    expect(second.status).toBe(200);
    const hour = hourOf(new Date());
    const rows = await counters(chat.id);
    expect(rows).toEqual([
      {
        client_id: clientId,
        website_id: site,
        hour,
        channel: 'chat',
        rule_id: chat.id,
        page_type: '',
        displays: 0,
        triggers: 1,
        withheld_busy: 1,
        withheld_offline: 0,
      },
      {
        client_id: clientId,
        website_id: site,
        hour,
        channel: 'chat',
        rule_id: chat.id,
        page_type: 'product',
        displays: 7,
        triggers: 7,
        withheld_busy: 0,
        withheld_offline: 1,
      },
    ]);
    expect(hour).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:00:00\.000Z$/);
    expect((await counters(call.id)).map((row) => [row.channel, row.page_type, row.displays])).toEqual([
      ['call', 'cart', 1],
    ]);
  });

  it("ignores entries naming another website's rule, and counts nothing for them", async () => {
    const theirs = await create('/targeting_rule', { name: 'Theirs', website_id: otherSite }, otherKey);
    const mine = await rule({ name: 'Mine counted' });
    const answer = await report({
      website_id: site,
      entries: [
        { rule_id: theirs.id, displays: 5 },
        { rule_id: mine.id, displays: 1 },
        { rule_id: 999999, displays: 1 },
      ],
    });
    expect(answer.body.data).toEqual({ accepted: 1, ignored: 2 });
    expect(await counters(theirs.id)).toEqual([]);
    // Naming their website with their rule does not help a page of mine: it is their counter, and it is counted there.
    expect((await report({ website_id: 999999, entries: [{ rule_id: mine.id, displays: 1 }] })).status).toBe(404);
  });

  it('refuses malformed and oversized reports with 400 (or 413) and a clear message, counting nothing', async () => {
    const counted = await rule({ name: 'Bounds' });
    const entry = { rule_id: counted.id, displays: 1 };
    const cases: [unknown, RegExp][] = [
      ['{not json', /not valid JSON/],
      ['[1,2]', /must be a JSON object/],
      [{ entries: [entry] }, /'website_id' is missing/],
      [{ website_id: 'abc', entries: [entry] }, /'website_id'/],
      [{ website_id: site }, /'entries'/],
      [{ website_id: site, entries: [] }, /'entries'.*1 to 50/],
      [{ website_id: site, entries: Array.from({ length: 51 }, () => entry) }, /'entries'.*1 to 50/],
      [{ website_id: site, entries: [{ displays: 1 }] }, /'entries\[0\]\[rule_id\]'/],
      [{ website_id: site, entries: [{ ...entry, displays: -1 }] }, /'entries\[0\]\[displays\]'/],
      [{ website_id: site, entries: [{ ...entry, displays: 1.5 }] }, /'entries\[0\]\[displays\]'/],
      [{ website_id: site, entries: [{ ...entry, displays: 101 }] }, /'entries\[0\]\[displays\]'.*0 to 100\./],
      [{ website_id: site, entries: [{ ...entry, clicks: 1 }] }, /'entries\[0\]\[clicks\]'/],
      [{ website_id: site, entries: [{ ...entry, page_type: 'x'.repeat(65) }] }, /'entries\[0\]\[page_type\]'/],
      [{ website_id: site, entries: [{ rule_id: counted.id }] }, /counts nothing/],
    ];
    for (const [index, [body, message]] of cases.entries()) {
      const answer = await report(body, {}, `10.0.1.${index}`);
      expect(answer.status, JSON.stringify(body).slice(0, 80)).toBe(400);
      expect(answer.body.meta.status).toBe('fail');
      expect(answer.body.meta.message).toMatch(message);
    }
    const huge = await report(
      { website_id: site, entries: [{ ...entry, page_type: 'p' }], padding: 'x'.repeat(9000) },
      {},
      '10.0.2.1',
    );
    expect(huge.status).toBe(413);
    expect(huge.body.meta.status).toBe('fail');
    expect(await counters(counted.id)).toEqual([]);
  });

  it('answers 429 with Retry-After once an address sent its burst', async () => {
    const counted = await rule({ name: 'Flood' });
    const body = { website_id: site, entries: [{ rule_id: counted.id, displays: 1 }] };
    const statuses: number[] = [];
    let retryAfter: unknown;
    for (let i = 0; i < 35; i += 1) {
      const answer = await t.app.inject({
        method: 'POST',
        url: '/widget/targeting/report',
        remoteAddress: '10.0.3.1',
        headers: { 'content-type': 'text/plain' },
        payload: JSON.stringify(body),
      });
      statuses.push(answer.statusCode);
      if (answer.statusCode === 429) retryAfter = answer.headers['retry-after'];
    }
    expect(statuses.filter((status) => status === 200).length).toBeGreaterThanOrEqual(30);
    expect(statuses.filter((status) => status === 200).length).toBeLessThan(35);
    expect(statuses.at(-1)).toBe(429);
    expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
    // Another address is not held back by this one.
    expect((await report(body, {}, '10.0.3.2')).status).toBe(200);
    const [row] = await counters(counted.id);
    expect(row?.displays).toBe(statuses.filter((status) => status === 200).length + 1);
  });
});

describe('conversations started from a rule', () => {
  const start = (payload: Record<string, unknown>) =>
    t.app.inject({ method: 'POST', url: '/realtime/visitor/messages', payload: { website_id: site, ...payload } });
  const stored = async (conversationId: number) =>
    t.store.db
      .selectFrom('conversation')
      .select(['rule_id', 'page_type', 'contact_type'])
      .where('id', '=', conversationId)
      .executeTakeFirstOrThrow();

  it('remember rule_id, page_type and contact_type: proactive from an invitation, visitor otherwise', async () => {
    const invitation = await rule({ name: 'Invite', action: 'invitation', invitation_message: 'Hello?' });
    const button = await rule({ name: 'Button' });
    const accepted = await start({
      text: 'Yes please',
      rule_id: invitation.id,
      contact_type: 'proactive',
      page_type: 'product',
    });
    expect(accepted.statusCode, accepted.body).toBe(200);
    expect(await stored(accepted.json<{ data: { conversation_id: number } }>().data.conversation_id)).toEqual({
      rule_id: invitation.id,
      page_type: 'product',
      contact_type: 'proactive',
    });
    const clicked = await start({ text: 'A question', rule_id: button.id, page_type: 'cart' });
    expect(await stored(clicked.json<{ data: { conversation_id: number } }>().data.conversation_id)).toEqual({
      rule_id: button.id,
      page_type: 'cart',
      contact_type: 'visitor',
    });
    // A button rule cannot make a proactive contact, and another website's rule is not kept.
    const claimed = await start({ text: 'Claimed', rule_id: button.id, contact_type: 'proactive' });
    expect(
      (await stored(claimed.json<{ data: { conversation_id: number } }>().data.conversation_id)).contact_type,
    ).toBe('visitor');
    const theirs = await create('/targeting_rule', { name: 'Not yours', website_id: otherSite }, otherKey);
    const foreign = await start({ text: 'Foreign', rule_id: theirs.id, contact_type: 'proactive' });
    expect(await stored(foreign.json<{ data: { conversation_id: number } }>().data.conversation_id)).toEqual({
      rule_id: null,
      page_type: null,
      contact_type: 'visitor',
    });
  });

  it('on the socket start frame too', async () => {
    const invitation = await rule({ name: 'Socket invite', action: 'invitation', invitation_message: 'Chat?' });
    const socket = await RealtimeClient.open(`${base.replace(/^http/, 'ws')}/realtime/visitor`);
    sockets.push(socket);
    await socket.request({ type: 'hello', website_id: site }, 'welcome');
    const started = await socket.request(
      { type: 'start', text: 'Hi', rule_id: invitation.id, contact_type: 'proactive', page_type: 'home' },
      'started',
    );
    expect(await stored(Number(started.conversation_id))).toEqual({
      rule_id: invitation.id,
      page_type: 'home',
      contact_type: 'proactive',
    });
    const refused = await socket.request({ type: 'start', text: 'Hi', contact_type: 'outbound' }, 'error');
    expect(refused).toMatchObject({ type: 'error', field: 'contact_type' });
  });

  it('an API-created conversation is outbound', async () => {
    const created = await create('/conversation', { website_id: site, channel: 'chat' });
    expect((await stored(created.id)).contact_type).toBe('outbound');
  });
});
