// Operator login (password, SSO key), bearer sessions and logout, on a real database.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientWithKey, startTestApp, type TestApp } from '../../test/harness.js';
import { authenticateOperatorToken } from './sessions.js';

let t: TestApp;
let key: string;
let clientId: number;
let otherKey: string;
let otherClientId: number;
let operatorId: number;
let ssoKey: string;

async function post(url: string, payload: Record<string, unknown>, headers: Record<string, string> = {}) {
  const answer = await t.app.inject({ method: 'POST', url, payload, headers });
  return {
    status: answer.statusCode,
    body: answer.json<{ meta: { status: string; message?: string }; data: Record<string, unknown> }>(),
  };
}

beforeAll(async () => {
  t = await startTestApp();
  ({ key, clientId } = await clientWithKey(t, 'Login Co'));
  ({ key: otherKey, clientId: otherClientId } = await clientWithKey(t, 'Other Login Co'));
  const created = await t.api('POST', '/operator', {
    key,
    json: { name: 'Julie', email: 'julie@login.example', password: 'correct horse' },
  });
  operatorId = created.body.data.id;
  ssoKey = String(created.body.data.sso_key);
});
afterAll(async () => t.close());

describe('POST /auth/login', () => {
  it('opens a session whose token identifies the operator, until logout', async () => {
    const login = await post('/auth/login', { email: 'JULIE@login.example', password: 'correct horse' });
    expect(login.status).toBe(200);
    expect(login.body.data).toMatchObject({
      operator_id: operatorId,
      client_id: clientId,
      token: expect.stringMatching(/^cos_/),
    });
    const token = String(login.body.data.token);
    const who = await t.app.inject({
      method: 'GET',
      url: '/auth/session',
      headers: { authorization: `Bearer ${token}` },
    });
    expect(who.json()).toEqual({ meta: { status: 'success' }, data: { operator_id: operatorId, client_id: clientId } });
    expect((await post('/auth/logout', {}, { authorization: `Bearer ${token}` })).status).toBe(200);
    expect(await authenticateOperatorToken(t.store.db, token)).toBeNull();
    expect(
      (await t.app.inject({ method: 'GET', url: '/auth/session', headers: { authorization: `Bearer ${token}` } }))
        .statusCode,
    ).toBe(401);
  });

  it('answers the same 401 for a wrong password and an unknown email, and stores only a hash of the token', async () => {
    const wrong = await post('/auth/login', { email: 'julie@login.example', password: 'wrong' });
    const unknown = await post('/auth/login', { email: 'nobody@login.example', password: 'wrong' });
    expect(wrong).toMatchObject({
      status: 401,
      body: { meta: { status: 'error', message: 'Email or password is not correct.' } },
    });
    expect(unknown).toEqual(wrong);
    const login = await post('/auth/login', { email: 'julie@login.example', password: 'correct horse' });
    const stored = await t.store.db.selectFrom('operator_session').select('token_hash').execute();
    expect(stored.map((row) => row.token_hash)).not.toContain(login.body.data.token);
  });

  it('asks for client_id when one email and password open accounts in two clients', async () => {
    await t.api('POST', '/operator', {
      key: otherKey,
      json: { name: 'Julie bis', email: 'julie@login.example', password: 'correct horse' },
    });
    const ambiguous = await post('/auth/login', { email: 'julie@login.example', password: 'correct horse' });
    expect(ambiguous.status).toBe(400);
    expect(ambiguous.body.meta.message).toContain("Value of field 'client_id' is not valid.");
    const chosen = await post('/auth/login', {
      email: 'julie@login.example',
      password: 'correct horse',
      client_id: otherClientId,
    });
    expect(chosen.body.data.client_id).toBe(otherClientId);
  });

  it('refuses a deleted operator, and their open sessions stop working', async () => {
    const created = await t.api('POST', '/operator', {
      key,
      json: { name: 'Leaving', email: 'leaving@login.example', password: 'goodbye!' },
    });
    const login = await post('/auth/login', { email: 'leaving@login.example', password: 'goodbye!' });
    await t.api('DELETE', `/operator/${created.body.data.id}`, { key });
    expect(await authenticateOperatorToken(t.store.db, String(login.body.data.token))).toBeNull();
    expect((await post('/auth/login', { email: 'leaving@login.example', password: 'goodbye!' })).status).toBe(401);
  });
});

describe('POST /auth/sso', () => {
  it("logs in with the operator's sso_key and refuses any other", async () => {
    const login = await post('/auth/sso', { sso_key: ssoKey });
    expect(login.body.data).toMatchObject({ operator_id: operatorId, client_id: clientId });
    expect(await post('/auth/sso', { sso_key: 'not-a-key' })).toMatchObject({
      status: 401,
      body: { meta: { status: 'error', message: 'This sign-on key is not valid.' } },
    });
  });
});
