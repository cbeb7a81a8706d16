// Console sessions on the REST API: a session sees only its operator's client, and an operator's session only the agent's work.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiAnswer, clientWithKey, startTestApp, type TestApp } from './harness.js';

let t: TestApp;
interface Tenant {
  key: string;
  clientId: number;
  websiteId: number;
  conversationId: number;
  agentId: number;
  adminId: number;
  agentToken: string;
  adminToken: string;
}
let a: Tenant;
let b: Tenant;

async function ok(answer: Promise<ApiAnswer>): Promise<number> {
  const settled = await answer;
  if (settled.status !== 200) throw new Error(`setup call failed: ${settled.status} ${JSON.stringify(settled.body)}`);
  return Number(settled.body.data.id);
}

async function login(email: string, password: string): Promise<string> {
  const answer = await t.app.inject({ method: 'POST', url: '/auth/login', payload: { email, password } });
  if (answer.statusCode !== 200) throw new Error(`login failed: ${answer.body}`);
  return String(answer.json<{ data: { token: string } }>().data.token);
}

/** A client with a website, a conversation, an operator-role agent and an admin, both logged in. */
async function tenant(label: string): Promise<Tenant> {
  const { key, clientId } = await clientWithKey(t, `${label} company`);
  const slug = label.toLowerCase();
  const websiteId = await ok(
    t.api('POST', '/website', { key, json: { url: `https://${slug}.example`, label: `${label} site` } }),
  );
  const agentId = await ok(
    t.api('POST', '/operator', {
      key,
      json: {
        name: `${label} agent`,
        email: `agent@${slug}.example`,
        password: 'agent-password',
        roles: ['operator'],
        website_list: [websiteId],
      },
    }),
  );
  const adminId = await ok(
    t.api('POST', '/operator', {
      key,
      json: {
        name: `${label} admin`,
        email: `admin@${slug}.example`,
        password: 'admin-password',
        roles: ['admin'],
        website_list: [websiteId],
      },
    }),
  );
  const conversationId = await ok(
    t.api('POST', '/conversation', { key, json: { website_id: websiteId, operator_id: agentId } }),
  );
  return {
    key,
    clientId,
    websiteId,
    conversationId,
    agentId,
    adminId,
    agentToken: await login(`agent@${slug}.example`, 'agent-password'),
    adminToken: await login(`admin@${slug}.example`, 'admin-password'),
  };
}

/** `/api/2{path}` with a console session. */
function asSession(
  token: string,
  method: 'GET' | 'POST' | 'PUT' | 'DELETE',
  path: string,
  json?: unknown,
): Promise<ApiAnswer> {
  return t.api(method, path, { headers: { authorization: `Bearer ${token}` }, ...(json !== undefined && { json }) });
}

beforeAll(async () => {
  t = await startTestApp();
  a = await tenant('Alpha');
  b = await tenant('Beta');
});
afterAll(async () => t.close());

describe('a console session is its operator’s client', () => {
  it('lists only its own client’s operators, websites and conversations', async () => {
    for (const token of [a.agentToken, a.adminToken]) {
      const operators = await asSession(token, 'GET', '/operator');
      expect(operators.status).toBe(200);
      expect(operators.body.data.map((row) => row.id).sort()).toEqual([a.agentId, a.adminId].sort());
      const websites = await asSession(token, 'GET', '/website');
      expect(websites.body.data.map((row) => row.id)).toEqual([a.websiteId]);
      const conversations = await asSession(token, 'GET', '/conversation');
      expect(conversations.body.data.map((row) => row.id)).toEqual([a.conversationId]);
    }
  });

  it('answers 404 for another client’s rows, exactly as for absent ones', async () => {
    for (const token of [a.agentToken, a.adminToken]) {
      for (const path of [
        `/operator/${b.agentId}`,
        `/website/${b.websiteId}`,
        `/conversation/${b.conversationId}`,
        `/conversation/${b.conversationId}/message`,
      ]) {
        const answer = await asSession(token, 'GET', path);
        expect(answer.status, path).toBe(404);
      }
      const message = await asSession(token, 'POST', `/conversation/${b.conversationId}/message`, {
        type: 1,
        text: 'hi',
      });
      expect(message.status).toBe(404);
    }
    const transfer = await asSession(a.adminToken, 'PUT', `/conversation/${a.conversationId}`, {
      operator_id: b.agentId,
    });
    expect(transfer.status).toBe(400);
    expect(transfer.body.meta.message).toBe(
      "Value of field 'operator_id' is not valid. Unknown 'operator' with 'id' " + String(b.agentId) + '.',
    );
  });

  it('stops working at logout, and a made-up token is refused', async () => {
    const token = await login('agent@alpha.example', 'agent-password');
    expect((await asSession(token, 'GET', '/operator')).status).toBe(200);
    await t.app.inject({ method: 'POST', url: '/auth/logout', headers: { authorization: `Bearer ${token}` } });
    expect(await asSession(token, 'GET', '/operator')).toMatchObject({
      status: 403,
      body: { meta: { status: 'error', message: 'Forbidden' } },
    });
    expect((await asSession('cos_made-up-token', 'GET', '/operator')).status).toBe(403);
  });

  it('is not accepted by the legacy v1 API, which has no role checks', async () => {
    const answer = await t.app.inject({
      method: 'GET',
      url: '/api/operator/getClientOperatorList/',
      headers: { authorization: `Bearer ${a.adminToken}` },
    });
    expect(answer.statusCode).not.toBe(200);
    const withKey = await t.app.inject({
      method: 'GET',
      url: `/api/operator/getClientOperatorList/?key=${encodeURIComponent(a.key)}`,
    });
    expect(withKey.statusCode).toBe(200);
  });
});

describe('an operator’s session does the agent’s work only', () => {
  it('reads conversations, writes messages and closes', async () => {
    const note = await asSession(a.agentToken, 'POST', `/conversation/${a.conversationId}/message`, {
      type: 1,
      text: 'On it',
      operator_id: a.agentId,
    });
    expect(note.status).toBe(200);
    const history = await asSession(a.agentToken, 'GET', `/conversation/${a.conversationId}/message`);
    expect(history.body.data.map((entry) => entry.text)).toContain('On it');
    const tags = await asSession(a.agentToken, 'PUT', `/conversation/${a.conversationId}`, { tag_list: [] });
    expect(tags.status).toBe(200);
  });

  it('cannot set anything up: operators, websites, keys, other people’s settings', async () => {
    const refused: [method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, json?: unknown][] = [
      ['POST', '/operator', { name: 'Sneaky', email: 'sneaky@alpha.example' }],
      ['PUT', `/operator/${a.agentId}`, { roles: ['admin'] }],
      ['PUT', `/operator/${a.adminId}`, { name: 'Renamed' }],
      ['DELETE', `/operator/${a.adminId}`],
      ['PUT', `/operator/${a.adminId}/live`, { chat: { available: 0 } }],
      ['POST', '/website', { url: 'https://other.alpha.example' }],
      ['PUT', `/website/${a.websiteId}`, { label: 'Renamed' }],
      ['POST', '/group', { name: 'Sneaky group' }],
      ['POST', '/skill', { name: 'Sneaky skill' }],
      ['POST', '/tag', { name: 'Sneaky tag' }],
      ['POST', '/conversation', { website_id: a.websiteId }],
      ['DELETE', `/visitor/1`],
      ['GET', '/key'],
      // Resources added later are refused to operators unless the policy lists them for agents.
      ['GET', '/webhook'],
      ['POST', '/webhook', { name: 'Exfiltrate', url: 'https://evil.example/hook', events: ['*'] }],
      ['POST', `/client/${a.clientId}/key`, { name: 'stolen' }],
    ];
    for (const [method, path, json] of refused) {
      const answer = await asSession(a.agentToken, method, path, json);
      expect(answer.status, `${method} ${path}`).toBe(403);
      expect(answer.body.meta.message, `${method} ${path}`).toMatch(
        /^An operator's console session cannot .+: a manager or admin role is needed\.$/,
      );
    }
    const stored = await t.store.db
      .selectFrom('operator')
      .select(['roles', 'name'])
      .where('id', 'in', [a.agentId, a.adminId])
      .orderBy('id')
      .execute();
    expect(stored).toEqual([
      { roles: JSON.stringify(['operator']), name: 'Alpha agent' },
      { roles: JSON.stringify(['admin']), name: 'Alpha admin' },
    ]);
  });

  it('sets its own availability', async () => {
    const answer = await asSession(a.agentToken, 'PUT', `/operator/${a.agentId}/live`, { chat: { available: 1 } });
    expect(answer.status).toBe(200);
    const row = await t.store.db
      .selectFrom('operator')
      .select(['chat_available'])
      .where('id', '=', a.agentId)
      .executeTakeFirstOrThrow();
    expect(row.chat_available).toBe(1);
    await asSession(a.agentToken, 'PUT', `/operator/${a.agentId}/live`, { connected: 0 });
  });

  it('an admin’s session does what the client key does, in its own client', async () => {
    const created = await asSession(a.adminToken, 'POST', '/skill', { name: 'Returns' });
    expect(created.status).toBe(200);
    expect(created.body.data.client_id ?? a.clientId).toBe(a.clientId);
    const keys = await asSession(a.adminToken, 'GET', '/key?full=1');
    expect(keys.status).toBe(200);
    expect(keys.body.data.length).toBeGreaterThan(0);
    expect(new Set(keys.body.data.map((row) => row.client_id))).toEqual(new Set([a.clientId]));
    const otherKey = await asSession(a.adminToken, 'POST', `/client/${b.clientId}/key`, { name: 'stolen' });
    expect(otherKey.status).toBe(404);
    const renamed = await asSession(a.adminToken, 'PUT', `/operator/${a.agentId}`, { name: 'Alpha agent renamed' });
    expect(renamed.status).toBe(200);
    await asSession(a.adminToken, 'PUT', `/operator/${a.agentId}`, { name: 'Alpha agent' });
  });

  it('a manager manages operators but cannot grant or remove the admin role; an admin can', async () => {
    const managerId = await ok(
      t.api('POST', '/operator', {
        key: a.key,
        json: {
          name: 'Alpha manager',
          email: 'manager@alpha.example',
          password: 'manager-password',
          roles: ['manager'],
          website_list: [a.websiteId],
        },
      }),
    );
    const managerToken = await login('manager@alpha.example', 'manager-password');
    const promoted = await asSession(managerToken, 'PUT', `/operator/${a.agentId}`, { roles: ['operator', 'manager'] });
    expect(promoted.status).toBe(200);
    for (const [method, path, json] of [
      ['PUT', `/operator/${managerId}`, { roles: ['admin'] }],
      ['PUT', `/operator/${a.agentId}`, { roles: ['admin', 'operator'] }],
      ['PUT', `/operator/${a.adminId}`, { roles: ['manager'] }],
      ['POST', '/operator', { name: 'Sneaky', email: 'sneaky@alpha.example', roles: ['admin'] }],
    ] as const) {
      const refused = await asSession(managerToken, method, path, json);
      expect(refused.status, `${method} ${path}`).toBe(403);
      expect(refused.body.meta.message).toBe('Only an admin can grant or remove the admin role.');
    }
    const admin = await t.api('GET', `/operator/${a.adminId}`, { key: a.key });
    expect(admin.body.data.roles).toEqual(['admin']);
    // Other changes to an admin stay open to managers; an admin grants the role.
    expect((await asSession(managerToken, 'PUT', `/operator/${a.adminId}`, { name: 'Alpha admin' })).status).toBe(200);
    expect(
      (await asSession(a.adminToken, 'PUT', `/operator/${managerId}`, { roles: ['manager', 'admin'] })).status,
    ).toBe(200);
    await asSession(a.adminToken, 'PUT', `/operator/${a.agentId}`, { roles: ['operator'] });
    await t.api('DELETE', `/operator/${managerId}`, { key: a.key });
  });
});
