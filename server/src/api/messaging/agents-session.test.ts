// Chat environments and RCS testers seen from the console: an admin's session (`Authorization: Bearer cos_…`) acts as
// its client (creates and lists the account's environments, the same ones its API key sees); an operator's or a
// manager's session is refused naming the role; a session that logged out is refused.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientWithKey, startTestApp, type TestApp } from '../../test/harness.js';

let t: TestApp;
let key: string;
let otherKey: string;
let adminToken: string;
let managerToken: string;
let agentToken: string;

interface Answer {
  status: number;
  body: { meta: { status: string; message?: string; error?: string }; data: unknown };
}

async function call(method: 'GET' | 'POST', path: string, headers: Record<string, string>, json?: unknown) {
  const response = await t.app.inject({
    method,
    url: `/api/messaging${path}`,
    headers: { ...headers, ...(json !== undefined && { 'content-type': 'application/json' }) },
    ...(json !== undefined && { payload: JSON.stringify(json) }),
  });
  return { status: response.statusCode, body: response.json() } as Answer;
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

async function operatorSession(email: string, roles: string[]): Promise<string> {
  const created = await t.api('POST', '/operator', {
    key,
    json: { name: email, email, password: 'a-long-password', roles },
  });
  if (created.status !== 200) throw new Error(`operator: ${JSON.stringify(created.body)}`);
  const login = await t.app.inject({
    method: 'POST',
    url: '/auth/login',
    payload: { email, password: 'a-long-password' },
  });
  if (login.statusCode !== 200) throw new Error(`login: ${login.body}`);
  return login.json<{ data: { token: string } }>().data.token;
}

/** An environment bound to WhatsApp only would need a channel; an RCS one waits for the carriers (no provider here). */
const environment = {
  name: 'Made in the console',
  description: 'Commandes et retraits en boutique',
  logo_url: 'https://cdn.example.fr/logo.png',
  banner_url: 'https://cdn.example.fr/banner.png',
  brand_color: '#0b78d0',
  email: 'contact@example.fr',
  privacy_url: 'https://example.fr/privacy',
  terms_url: 'https://example.fr/terms',
  channels: ['rcs'],
  carriers: ['orange-fr'],
};

beforeAll(async () => {
  t = await startTestApp();
  ({ key } = await clientWithKey(t, 'Console shop'));
  ({ key: otherKey } = await clientWithKey(t, 'Another shop'));
  adminToken = await operatorSession('admin@console-shop.example', ['admin']);
  managerToken = await operatorSession('manager@console-shop.example', ['manager']);
  agentToken = await operatorSession('agent@console-shop.example', ['operator']);
});
afterAll(async () => {
  await t?.close();
});

describe('chat environments with a console session', () => {
  it("an admin's session creates and lists its account's environments, the ones its API key sees", async () => {
    const created = await call('POST', '/chatbot/agent', bearer(adminToken), environment);
    expect(created.status).toBe(201);
    expect(created.body.data).toMatchObject({
      name: 'Made in the console',
      state: 'pending_verification',
      carriers: [{ carrier: 'orange-fr', state: 'pending' }],
    });
    const listed = await call('GET', '/chatbot/agent', bearer(adminToken));
    expect(listed.status).toBe(200);
    const byKey = await call('GET', '/chatbot/agent', { 'x-api-key': key });
    // The same environments, by id and name (the submission worker may write attempts and last_error in between).
    const identities = (answer: Answer) =>
      (answer.body.data as Array<{ id: unknown; name: string }>).map(({ id, name }) => ({ id, name }));
    expect(identities(listed)).toEqual(identities(byKey));
    expect(identities(listed)).toHaveLength(1);
    expect((listed.body.data as Array<{ name: string }>).map((agent) => agent.name)).toEqual(['Made in the console']);
    // Another account's key does not see it.
    expect((await call('GET', '/chatbot/agent', { 'x-api-key': otherKey })).body.data).toEqual([]);
    // Testers answer to the session too: none yet.
    const testers = await call('GET', '/messenger/rcs-tester', bearer(adminToken));
    expect(testers.status).toBe(200);
    expect(testers.body.data).toEqual([]);
  });

  it("an operator's or a manager's session is refused naming the admin role", async () => {
    for (const token of [agentToken, managerToken]) {
      const listed = await call('GET', '/chatbot/agent', bearer(token));
      expect(listed.status).toBe(403);
      expect(listed.body.meta.message).toContain("'admin' role");
      const created = await call('POST', '/chatbot/agent', bearer(token), { ...environment, name: 'Not mine' });
      expect(created.status).toBe(403);
      expect((await call('GET', '/messenger/rcs-tester', bearer(token))).status).toBe(403);
    }
    const listed = await call('GET', '/chatbot/agent', { 'x-api-key': key });
    expect((listed.body.data as Array<{ name: string }>).map((agent) => agent.name)).toEqual(['Made in the console']);
  });

  it('a session that logged out is refused', async () => {
    const token = await operatorSession('leaving@console-shop.example', ['admin']);
    expect((await call('GET', '/chatbot/agent', bearer(token))).status).toBe(200);
    const logout = await t.app.inject({ method: 'POST', url: '/auth/logout', headers: bearer(token) });
    expect(logout.statusCode).toBeLessThan(300);
    expect((await call('GET', '/chatbot/agent', bearer(token))).status).toBe(403);
  });
});
