// A client's time zone and a website's currency through REST v2: defaults, round trips, 400s naming the field, who may
// change the time zone (partners, the client itself, not agents), and other tenants' rows answering 404.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ADMIN_KEY,
  clientWithKey,
  eventTypesFor,
  partnerWithKey,
  type Resource,
  startTestApp,
  type TestApp,
} from '../../test/harness.js';

let t: TestApp;

async function ok(method: 'POST' | 'PUT', path: string, json: Record<string, unknown>, key: string): Promise<Resource> {
  const answer = await t.api(method, path, { key, json });
  if (answer.status !== 200)
    throw new Error(`${method} ${path} failed: ${answer.status} ${JSON.stringify(answer.body)}`);
  return answer.body.data;
}

/** A console session (bearer token) of a new operator of this client with these roles. */
async function sessionOf(key: string, email: string, roles: string[]): Promise<string> {
  await ok('POST', '/operator', { name: email.split('@')[0], email, password: 'correct horse', roles }, key);
  const login = await t.app.inject({
    method: 'POST',
    url: '/auth/login',
    payload: { email, password: 'correct horse' },
  });
  return String(login.json<{ data: { token: string } }>().data.token);
}

async function asSession(token: string, method: 'GET' | 'PUT', url: string, payload?: Record<string, unknown>) {
  const answer = await t.app.inject({
    method,
    url: `/api/2${url}`,
    headers: { authorization: `Bearer ${token}` },
    ...(payload !== undefined && { payload }),
  });
  return { status: answer.statusCode, body: answer.json<{ meta: { message?: string }; data: Resource }>() };
}

beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => t.close());

describe('client timezone', () => {
  it('is UTC by default, set at creation as Intl spells it, and changed by the client itself', async () => {
    const { clientId, key } = await clientWithKey(t, 'Zone Default Co');
    expect((await t.api('GET', `/client/${clientId}`, { key })).body.data.timezone).toBe('UTC');

    const paris = await ok('POST', '/client', { name: 'Zone Paris Co', timezone: 'europe/paris' }, ADMIN_KEY);
    expect(paris.timezone).toBe('Europe/Paris');
    // A current IANA name ICU spells the old way is kept as given.
    const kyiv = await ok('POST', '/client', { name: 'Zone Kyiv Co', timezone: 'Europe/Kyiv' }, ADMIN_KEY);
    expect(kyiv.timezone).toBe('Europe/Kyiv');

    const changed = await ok('PUT', `/client/${clientId}`, { timezone: 'America/New_York' }, key);
    expect(changed.timezone).toBe('America/New_York');
    expect((await t.api('GET', `/client/${clientId}`, { key })).body.data.timezone).toBe('America/New_York');
    expect(await eventTypesFor(t, 'client', clientId)).toEqual(['client.created', 'client.updated']);
    const [event] = await t.store.db
      .selectFrom('event')
      .select('payload')
      .where('type', '=', 'client.updated')
      .where('subject_id', '=', clientId)
      .execute();
    expect(JSON.parse(String(event?.payload))).toEqual({ changed: ['timezone'] });
  });

  it('answers 400 naming timezone for names Intl does not know, offsets and blanks, and changes nothing', async () => {
    const { clientId, key } = await clientWithKey(t, 'Zone Refusals Co');
    for (const timezone of ['Mars/Olympus_Mons', '+01:00', 'Europe/Paris; DROP', '   ']) {
      const answer = await t.api('PUT', `/client/${clientId}`, { key, json: { timezone } });
      expect(answer.status, timezone).toBe(400);
      expect(answer.body.meta).toMatchObject({ status: 'fail', message: expect.stringContaining("field 'timezone'") });
    }
    const created = await t.api('POST', '/client', {
      key: ADMIN_KEY,
      json: { name: 'Nowhere Co', timezone: 'Nowhere' },
    });
    expect(created.status).toBe(400);
    expect(created.body.meta.message).toBe(
      "Value of field 'timezone' is not valid. Unknown time zone 'Nowhere'. Expected an IANA name such as 'Europe/Paris' or 'UTC'.",
    );
    expect((await t.api('GET', `/client/${clientId}`, { key })).body.data.timezone).toBe('UTC');
  });

  it("lets partners set their clients' time zone, keeps name and language with the partner, hides others' clients", async () => {
    const { key: partnerKey } = await partnerWithKey(t, 'Zone Partner');
    const own = await clientWithKey(t, 'Zone Partner Client', partnerKey);
    const other = await clientWithKey(t, 'Zone Stranger Co');
    expect((await ok('PUT', `/client/${own.clientId}`, { timezone: 'Asia/Tokyo' }, partnerKey)).timezone).toBe(
      'Asia/Tokyo',
    );
    // The client's key may not rename itself, even together with its time zone.
    const renamed = await t.api('PUT', `/client/${own.clientId}`, {
      key: own.key,
      json: { timezone: 'UTC', name: 'Renamed' },
    });
    expect(renamed.status).toBe(403);
    for (const as of [own.key, partnerKey]) {
      const foreign = await t.api('PUT', `/client/${other.clientId}`, { key: as, json: { timezone: 'Asia/Tokyo' } });
      expect(foreign.status).toBe(404);
    }
    expect((await t.api('GET', `/client/${other.clientId}`, { key: other.key })).body.data.timezone).toBe('UTC');
  });

  it("lets an admin's console session change it, not an agent's", async () => {
    const { clientId, key } = await clientWithKey(t, 'Zone Console Co');
    const admin = await sessionOf(key, 'admin@zone.example', ['admin']);
    const agent = await sessionOf(key, 'agent@zone.example', ['operator']);
    const refused = await asSession(agent, 'PUT', `/client/${clientId}`, { timezone: 'Europe/Paris' });
    expect(refused.status).toBe(403);
    const changed = await asSession(admin, 'PUT', `/client/${clientId}`, { timezone: 'Europe/Paris' });
    expect(changed.status, JSON.stringify(changed.body)).toBe(200);
    expect((await asSession(admin, 'GET', `/client/${clientId}`)).body.data.timezone).toBe('Europe/Paris');
  });
});

describe('website currency', () => {
  it('is EUR by default, set at creation and changed, with website.updated naming it', async () => {
    const { key } = await clientWithKey(t, 'Currency Co');
    const plain = await ok('POST', '/website', { url: 'https://euro.example' }, key);
    expect(plain.currency).toBe('EUR');
    const dollars = await ok('POST', '/website', { url: 'https://dollar.example', currency: 'USD' }, key);
    expect(dollars.currency).toBe('USD');
    const pounds = await ok('PUT', `/website/${plain.id}`, { currency: 'GBP' }, key);
    expect(pounds.currency).toBe('GBP');
    expect((await t.api('GET', `/website/${plain.id}`, { key })).body.data.currency).toBe('GBP');
    const [event] = await t.store.db
      .selectFrom('event')
      .select('payload')
      .where('type', '=', 'website.updated')
      .where('subject_id', '=', plain.id)
      .execute();
    expect(JSON.parse(String(event?.payload))).toEqual({ changed: ['currency'] });
  });

  it('answers 400 naming currency for lower case, unknown codes and other lengths', async () => {
    const { key } = await clientWithKey(t, 'Currency Refusals Co');
    const site = await ok('POST', '/website', { url: 'https://refusals.example' }, key);
    const cases: Array<[string, string]> = [
      ['eur', "Value of field 'currency' is not valid. Expected an ISO 4217 code in capitals, such as 'EUR' or 'USD'."],
      [
        'EURO',
        "Value of field 'currency' is not valid. Expected an ISO 4217 code in capitals, such as 'EUR' or 'USD'.",
      ],
      [
        'ABC',
        "Value of field 'currency' is not valid. Unknown currency 'ABC'. Expected an ISO 4217 code such as 'EUR' or 'USD'.",
      ],
    ];
    for (const [currency, message] of cases) {
      const answer = await t.api('PUT', `/website/${site.id}`, { key, json: { currency } });
      expect(answer.status, currency).toBe(400);
      expect(answer.body.meta).toMatchObject({ status: 'fail', message });
      const created = await t.api('POST', '/website', { key, json: { url: 'https://x.example', currency } });
      expect(created.status, currency).toBe(400);
    }
    expect((await t.api('GET', `/website/${site.id}`, { key })).body.data.currency).toBe('EUR');
  });

  it("answers 404 for another tenant's website and leaves its currency", async () => {
    const mine = await clientWithKey(t, 'Currency Mine Co');
    const theirs = await clientWithKey(t, 'Currency Theirs Co');
    const site = await ok('POST', '/website', { url: 'https://theirs.example', currency: 'CHF' }, theirs.key);
    const answer = await t.api('PUT', `/website/${site.id}`, { key: mine.key, json: { currency: 'JPY' } });
    expect(answer.status).toBe(404);
    expect((await t.api('GET', `/website/${site.id}`, { key: theirs.key })).body.data.currency).toBe('CHF');
  });
});
