// Canned responses end to end on a real database: the REST resource (validation naming the field, 409 on a shortcut
// taken whatever its case, filters, pages), who sees and changes what (shared vs personal, agents vs admins, another
// client's key), the events of each change, and rendering a body in a conversation (missing values empty).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ApiAnswer,
  clientWithKey,
  eventTypesFor,
  type Resource,
  startTestApp,
  type TestApp,
} from '../../test/harness.js';
import { renderBody, unknownVariable } from './variables.js';

let t: TestApp;
let key: string;
let otherKey: string;
let site: number;
let otherSite: number;
let agentId: number;
let agentToken: string;
let secondAgentToken: string;
let adminToken: string;
const run = Math.random().toString(36).slice(2, 8);

async function ok(answer: Promise<ApiAnswer>): Promise<Resource> {
  const settled = await answer;
  if (settled.status !== 200) throw new Error(`setup call failed: ${settled.status} ${JSON.stringify(settled.body)}`);
  return settled.body.data;
}

async function login(email: string): Promise<string> {
  const answer = await t.app.inject({
    method: 'POST',
    url: '/auth/login',
    payload: { email, password: 'secret-pass' },
  });
  if (answer.statusCode !== 200) throw new Error(`login failed: ${answer.body}`);
  return String(answer.json<{ data: { token: string } }>().data.token);
}

async function operator(name: string, roles: string[], extra: Record<string, unknown> = {}): Promise<number> {
  const email = `${name.toLowerCase().replace(/\s+/g, '.')}.${run}@canned.example`;
  const created = await ok(
    t.api('POST', '/operator', {
      key,
      json: { name, email, password: 'secret-pass', roles, website_list: [site], ...extra },
    }),
  );
  return created.id;
}

const emailOf = (name: string) => `${name.toLowerCase().replace(/\s+/g, '.')}.${run}@canned.example`;

/** `/api/2{path}` with a console session's token. */
function asSession(token: string, method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, json?: unknown) {
  return t.api(method, path, { headers: { authorization: `Bearer ${token}` }, ...(json !== undefined && { json }) });
}

const shortcut = (name: string) => `${name}-${run}`;

beforeAll(async () => {
  t = await startTestApp();
  ({ key } = await clientWithKey(t, `Canned Co ${run}`));
  ({ key: otherKey } = await clientWithKey(t, `Other Canned Co ${run}`));
  site = (await ok(t.api('POST', '/website', { key, json: { url: `https://canned-${run}.example`, label: 'Shop' } })))
    .id;
  otherSite = (await ok(t.api('POST', '/website', { key: otherKey, json: { url: `https://other-${run}.example` } })))
    .id;
  agentId = await operator('Alice Martin', ['operator'], { first_name: 'Alice' });
  await operator('Bob Durand', ['operator']);
  await operator('Carla Admin', ['admin']);
  agentToken = await login(emailOf('Alice Martin'));
  secondAgentToken = await login(emailOf('Bob Durand'));
  adminToken = await login(emailOf('Carla Admin'));
});
afterAll(async () => {
  await t.close();
});

describe('variables', () => {
  it('renders known variables, leaves missing ones empty and never shows braces', () => {
    const body = 'Hi {{visitor.firstname}}{{ operator.name }}! {{website.name}}';
    expect(renderBody(body, { 'visitor.firstname': 'Ada', 'website.name': null })).toBe('Hi Ada! ');
    expect(unknownVariable('Hello {{visitor.firstname}} {{visitor.email}}')).toBe('visitor.email');
    expect(unknownVariable('Hello {{ visitor.name }}, {not a variable}')).toBeUndefined();
  });
});

describe('/api/2/canned_response', () => {
  it('creates a shared response with every field, reads it back and lists it, with canned_response.created', async () => {
    const created = await ok(
      t.api('POST', '/canned_response', {
        key,
        json: {
          shortcut: shortcut('Refund'),
          title: ' Refund policy ',
          body: 'Hello {{visitor.firstname}}, see our policy.',
          website_id: site,
          attachments: ['https://shop.example/returns.pdf'],
        },
      }),
    );
    expect(created).toMatchObject({
      shortcut: shortcut('Refund'),
      title: 'Refund policy',
      scope: 'shared',
      operator_id: null,
      website_id: site,
      attachments: ['https://shop.example/returns.pdf'],
      _link: `/canned_response/${created.id}`,
    });
    const read = await t.api('GET', `/canned_response/${created.id}`, { key });
    expect(read.body.data).toEqual(created);
    const listed = await t.api('GET', `/canned_response?full=1&filters[q]=${encodeURIComponent('REFUND POLICY')}`, {
      key,
    });
    expect(listed.body.data.map((row) => row.id)).toEqual([created.id]);
    expect(await eventTypesFor(t, 'canned_response', created.id)).toEqual(['canned_response.created']);
  });

  it('refuses a taken shortcut whatever its case (409 naming it), an unknown variable and bad fields (400 naming them)', async () => {
    await ok(
      t.api('POST', '/canned_response', { key, json: { shortcut: shortcut('hello'), title: 'Hi', body: 'Hi' } }),
    );
    const taken = await t.api('POST', '/canned_response', {
      key,
      json: { shortcut: shortcut('HELLO'), title: 'Hi again', body: 'Hi' },
    });
    expect(taken.status).toBe(409);
    expect(taken.body.meta).toMatchObject({ status: 'fail', error: 'conflict', field: 'shortcut' });

    const unknown = await t.api('POST', '/canned_response', {
      key,
      json: { shortcut: shortcut('email'), title: 'Email', body: 'Write to {{visitor.email}}' },
    });
    expect(unknown.status).toBe(400);
    expect(unknown.body.meta.field).toBe('body');
    expect(unknown.body.meta.message).toContain('{{visitor.email}}');

    const spaced = await t.api('POST', '/canned_response', {
      key,
      json: { shortcut: 'two words', title: 'x', body: 'x' },
    });
    expect(spaced.status).toBe(400);
    expect(spaced.body.meta.field).toBe('shortcut');

    const foreignSite = await t.api('POST', '/canned_response', {
      key,
      json: { shortcut: shortcut('site'), title: 'x', body: 'x', website_id: otherSite },
    });
    expect(foreignSite.status).toBe(400);
    expect(foreignSite.body.meta.field).toBe('website_id');

    const noOwner = await t.api('POST', '/canned_response', {
      key,
      json: { shortcut: shortcut('mine'), title: 'x', body: 'x', scope: 'personal' },
    });
    expect(noOwner.status).toBe(400);
    expect(noOwner.body.meta.field).toBe('operator_id');

    const badFilter = await t.api('GET', '/canned_response?filters[scope]=team', { key });
    expect(badFilter.status).toBe(400);
    expect(badFilter.body.meta.field).toBe('filters[scope]');
  });

  it("is another client's key's 404, for reading, changing, deleting and rendering", async () => {
    const mine = await ok(
      t.api('POST', '/canned_response', { key, json: { shortcut: shortcut('private'), title: 'x', body: 'x' } }),
    );
    for (const [method, path] of [
      ['GET', `/canned_response/${mine.id}`],
      ['DELETE', `/canned_response/${mine.id}`],
    ] as const) {
      const answer = await t.api(method, path, { key: otherKey });
      expect(answer.status).toBe(404);
      expect(answer.body.meta.message).toBe(`Unknown 'canned_response' with 'id' ${mine.id}.`);
    }
    const put = await t.api('PUT', `/canned_response/${mine.id}`, { key: otherKey, json: { title: 'Stolen' } });
    expect(put.status).toBe(404);
    const list = await t.api('GET', '/canned_response?limit=100', { key: otherKey });
    expect(list.body.data.map((row) => row.id)).not.toContain(mine.id);
    expect((await t.api('GET', `/canned_response/${mine.id}`, { key })).body.data.title).toBe('x');
  });

  it('gives operators the shared responses and their own personal ones; only admins change shared ones', async () => {
    const shared = await ok(
      asSession(adminToken, 'POST', '/canned_response', {
        shortcut: shortcut('welcome'),
        title: 'Welcome',
        body: 'Welcome!',
        scope: 'shared',
      }),
    );
    expect(shared.scope).toBe('shared');
    const personal = await ok(
      asSession(agentToken, 'POST', '/canned_response', { shortcut: shortcut('welcome'), title: 'Mine', body: 'Yo' }),
    );
    // The same shortcut as a shared one: each owner has its own codes.
    expect(personal).toMatchObject({ scope: 'personal', operator_id: agentId });

    const agentSees = await asSession(agentToken, 'GET', '/canned_response?limit=100&full=1');
    const seen = agentSees.body.data.map((row) => row.id);
    expect(seen).toEqual(expect.arrayContaining([shared.id, personal.id]));
    const bobSees = await asSession(secondAgentToken, 'GET', '/canned_response?limit=100');
    expect(bobSees.body.data.map((row) => row.id)).toContain(shared.id);
    expect(bobSees.body.data.map((row) => row.id)).not.toContain(personal.id);
    expect((await asSession(secondAgentToken, 'GET', `/canned_response/${personal.id}`)).status).toBe(404);
    expect((await asSession(secondAgentToken, 'DELETE', `/canned_response/${personal.id}`)).status).toBe(404);
    const onlyPersonal = await asSession(agentToken, 'GET', '/canned_response?limit=100&filters[scope]=personal');
    expect(onlyPersonal.body.data.map((row) => row.id)).toEqual([personal.id]);

    const agentShared = await asSession(agentToken, 'POST', '/canned_response', {
      shortcut: shortcut('nope'),
      title: 'x',
      body: 'x',
      scope: 'shared',
    });
    expect(agentShared.status).toBe(403);
    expect(agentShared.body.meta.field).toBe('scope');
    const agentEdit = await asSession(agentToken, 'PUT', `/canned_response/${shared.id}`, { title: 'Hacked' });
    expect(agentEdit.status).toBe(403);
    expect((await asSession(agentToken, 'DELETE', `/canned_response/${shared.id}`)).status).toBe(403);

    const edited = await ok(asSession(agentToken, 'PUT', `/canned_response/${personal.id}`, { body: 'Hey there' }));
    expect(edited.body).toBe('Hey there');
    const adminEdit = await ok(asSession(adminToken, 'PUT', `/canned_response/${shared.id}`, { title: 'Hello' }));
    expect(adminEdit.title).toBe('Hello');
    expect((await asSession(agentToken, 'DELETE', `/canned_response/${personal.id}`)).status).toBe(200);
    expect((await t.api('GET', `/canned_response/${personal.id}`, { key })).status).toBe(404);
    expect(await eventTypesFor(t, 'canned_response', personal.id)).toEqual([
      'canned_response.created',
      'canned_response.updated',
      'canned_response.deleted',
    ]);
  });

  it('filters by website (those of every website too) and pages', async () => {
    const secondSite = (await ok(t.api('POST', '/website', { key, json: { url: `https://second-${run}.example` } })))
      .id;
    const onSecond = await ok(
      t.api('POST', '/canned_response', {
        key,
        json: { shortcut: shortcut('second'), title: 'x', body: 'x', website_id: secondSite },
      }),
    );
    const everywhere = await ok(
      t.api('POST', '/canned_response', { key, json: { shortcut: shortcut('everywhere'), title: 'x', body: 'x' } }),
    );
    const forSite = await t.api('GET', `/canned_response?limit=100&filters[website_id]=${site}`, { key });
    const ids = forSite.body.data.map((row) => row.id);
    expect(ids).toContain(everywhere.id);
    expect(ids).not.toContain(onSecond.id);
    // `%` and `_` are searched as themselves, not as wildcards.
    const percent = await ok(
      t.api('POST', '/canned_response', { key, json: { shortcut: shortcut('sure'), title: '100% sure', body: 'x' } }),
    );
    const searched = await t.api('GET', `/canned_response?limit=100&filters[q]=${encodeURIComponent('%')}`, { key });
    expect(searched.body.data.map((row) => row.id)).toEqual([percent.id]);
    const paged = await t.api('GET', '/canned_response?limit=1&page=2', { key });
    expect(paged.body.data).toHaveLength(1);
    expect(paged.body.pagination.limit).toBe(1);
    expect(paged.body.pagination.count).toBeGreaterThan(2);
  });

  it("renders a body in a conversation: the visitor's, the operator's and the website's names, missing ones empty", async () => {
    const uid = `ada-${run}`;
    await ok(t.api('POST', '/visitor', { key, json: { unique_id: uid, firstname: 'Ada', lastname: 'Lovelace' } }));
    const conversation = await ok(
      t.api('POST', '/conversation', { key, json: { website_id: site, visitor_uid: uid, operator_id: agentId } }),
    );
    const response = await ok(
      t.api('POST', '/canned_response', {
        key,
        json: {
          shortcut: shortcut('greet'),
          title: 'Greeting',
          body: 'Hello {{visitor.firstname}} ({{visitor.name}}), {{operator.firstname}} of {{website.name}} here. {{operator.name}}',
        },
      }),
    );
    const rendered = await asSession(
      agentToken,
      'GET',
      `/canned_response/${response.id}/render?conversation_id=${conversation.id}`,
    );
    expect(rendered.status).toBe(200);
    expect(rendered.body.data.body).toBe('Hello Ada (Ada Lovelace), Alice of Shop here. Alice Martin');

    const anonymous = await ok(t.api('POST', '/conversation', { key, json: { website_id: site } }));
    const blank = await t.api('GET', `/canned_response/${response.id}/render?conversation_id=${anonymous.id}`, { key });
    expect(blank.body.data.body).toBe('Hello  (),  of Shop here. ');
    expect(blank.body.data.body).not.toContain('{{');

    const foreign = await ok(t.api('POST', '/conversation', { key: otherKey, json: { website_id: otherSite } }));
    const refused = await t.api('GET', `/canned_response/${response.id}/render?conversation_id=${foreign.id}`, { key });
    expect(refused.status).toBe(404);
    expect(refused.body.meta.field).toBe('conversation_id');
  });
});
