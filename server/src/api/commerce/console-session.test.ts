// The commerce API seen from the console: an admin's session (`Authorization: Bearer cos_…`) reads and manages its
// account's flows and charge totals; an agent's session is refused naming the role; no key at all is a 401.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientWithKey, startTestApp, type TestApp } from '../../test/harness.js';
import { sumCharges } from './charge-totals.js';

let t: TestApp;
let clientId: number;
let key: string;
let adminToken: string;
let agentToken: string;

interface Answer {
  status: number;
  body: { meta: { status: string; message?: string; field?: string; error?: string }; data: unknown };
}

async function call(
  method: 'GET' | 'POST',
  path: string,
  headers: Record<string, string>,
  json?: unknown,
): Promise<Answer> {
  const response = await t.app.inject({
    method,
    url: `/api/commerce/v1${path}`,
    headers: { ...headers, ...(json !== undefined && { 'content-type': 'application/json' }) },
    ...(json !== undefined && { payload: JSON.stringify(json) }),
  });
  return { status: response.statusCode, body: response.json() };
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

beforeAll(async () => {
  t = await startTestApp();
  ({ clientId, key } = await clientWithKey(t, 'Console shop'));
  adminToken = await operatorSession('admin@console-shop.example', ['admin']);
  agentToken = await operatorSession('agent@console-shop.example', ['operator']);
});
afterAll(async () => {
  await t?.close();
});

describe('the commerce API with a console session', () => {
  it("an admin's session creates and reads the account's flows, and sees a bad step's JSON pointer", async () => {
    const created = await call('POST', '/flows', bearer(adminToken), {
      code: 'console_made',
      name: 'Made in the console',
      definition: { steps: [{ id: 'hello', type: 'set_variable', name: 'greeted', value: true }] },
    });
    expect(created.status).toBe(200);
    const listed = await call('GET', '/flows', bearer(adminToken));
    expect(listed.status).toBe(200);
    expect(listed.body.data).toEqual([
      expect.objectContaining({ code: 'console_made', name: 'Made in the console', current_version: 1 }),
    ]);
    // The same flows the account's API key sees.
    expect((await call('GET', '/flows', { 'x-api-key': key })).body.data).toEqual(listed.body.data);

    const bad = await call('POST', '/flows', bearer(adminToken), {
      code: 'console_bad',
      name: 'Bad',
      definition: { steps: [{ id: 'x', type: 'wait' }] },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.meta.field).toBe('definition/steps/0');
  });

  it("an agent's session is refused naming the admin role; nothing is created", async () => {
    const read = await call('GET', '/flows', bearer(agentToken));
    expect(read.status).toBe(403);
    expect(read.body.meta.message).toContain("'admin' role");
    const write = await call('POST', '/flows', bearer(agentToken), { code: 'agent_made', name: 'No' });
    expect(write.status).toBe(403);
    const codes = (await call('GET', '/flows', { 'x-api-key': key })).body.data as Array<{ code: string }>;
    expect(codes.map((flow) => flow.code)).not.toContain('agent_made');
  });

  it('no key is a 401 naming api_key; an unknown or logged-out session is a 401 too', async () => {
    const none = await call('GET', '/flows', {});
    expect(none.status).toBe(401);
    expect(none.body.meta.field).toBe('api_key');
    expect((await call('GET', '/flows', bearer('cos_not-a-session'))).status).toBe(401);
    const other = await operatorSession('leaving@console-shop.example', ['admin']);
    expect((await call('GET', '/flows', bearer(other))).status).toBe(200);
    await t.app.inject({ method: 'POST', url: '/auth/logout', headers: bearer(other) });
    expect((await call('GET', '/flows', bearer(other))).status).toBe(401);
  });
});

describe('charge totals by period', () => {
  it('cuts days and months at Europe/Rome midnight, by kind and currency', () => {
    const totals = sumCharges(
      [
        // 23:30 UTC on 30 June is 01:30 on 1 July in Rome (CEST).
        { at: '2026-06-30T23:30:00.000Z', kind: 'whatsapp.template', currency: 'EUR', quantity: 1, amount: 0.1 },
        { at: '2026-07-01T10:00:00.000Z', kind: 'whatsapp.template', currency: 'EUR', quantity: 1, amount: 0.2 },
        { at: '2026-06-30T21:00:00.000Z', kind: 'whatsapp.template', currency: 'EUR', quantity: 1, amount: 0.5 },
        { at: '2026-07-01T10:00:00.000Z', kind: 'cod', currency: 'USD', quantity: 2, amount: 3 },
      ],
      'day',
    );
    expect(totals).toEqual([
      { period: '2026-06-30', kind: 'whatsapp.template', currency: 'EUR', quantity: 1, amount: 0.5, count: 1 },
      { period: '2026-07-01', kind: 'cod', currency: 'USD', quantity: 2, amount: 3, count: 1 },
      { period: '2026-07-01', kind: 'whatsapp.template', currency: 'EUR', quantity: 2, amount: 0.3, count: 2 },
    ]);
    expect(
      sumCharges([{ at: '2026-06-30T23:30:00.000Z', kind: 'k', currency: 'EUR', quantity: 1, amount: 1 }], 'month'),
    ).toEqual([{ period: '2026-07', kind: 'k', currency: 'EUR', quantity: 1, amount: 1, count: 1 }]);
  });

  it("GET /getChargeTotals sums the account's charges, or one user_key's, for an admin's session", async () => {
    const row = (userKey: string, at: string, amount: number) => ({
      client_id: clientId,
      user_key: userKey,
      request_id: null,
      run_id: null,
      idempotency_key: `test:${userKey}:${at}`,
      kind: 'whatsapp.template',
      quantity: 1,
      unit_price: amount,
      amount,
      currency: 'EUR',
      at,
    });
    await t.store.db
      .insertInto('commerce_charge')
      .values([
        row('+390001', '2026-07-01T08:00:00.000Z', 0.25),
        row('+390001', '2026-07-02T08:00:00.000Z', 0.25),
        row('+390002', '2026-07-02T09:00:00.000Z', 1),
      ])
      .execute();
    const range = 'from=2026-07-01&to=2026-08-01';
    const account = await call('GET', `/getChargeTotals?${range}`, bearer(adminToken));
    expect(account.status).toBe(200);
    expect(account.body.data).toMatchObject({
      period: 'day',
      from: '2026-07-01T00:00:00+02:00',
      user_key: null,
      totals: [
        { period: '2026-07-01', amount: 0.25, count: 1 },
        { period: '2026-07-02', amount: 1.25, count: 2 },
      ],
      sums: [{ currency: 'EUR', amount: 1.5, count: 3 }],
    });
    const one = await call('GET', `/getChargeTotals?${range}&period=month&user_key=%2B390001`, bearer(adminToken));
    expect(one.body.data).toMatchObject({
      user_key: '+390001',
      totals: [{ period: '2026-07', kind: 'whatsapp.template', amount: 0.5, count: 2 }],
    });
    expect((await call('GET', `/getChargeTotals?${range}`, bearer(agentToken))).status).toBe(403);
    const wrong = await call('GET', '/getChargeTotals?from=yesterday', { 'x-api-key': key });
    expect(wrong.status).toBe(400);
    expect(wrong.body.meta.field).toBe('from');
  });
});
