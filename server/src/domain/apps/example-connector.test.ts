// docs/APPS.md's minimal connector (examples/connector/server.mjs) works as the guide says, on SQLite and PostgreSQL:
// started as its own process, it is the back end of an app built, approved and installed through the API. Its
// authentication step refuses a wrong password (the installer reads the per-field message, nothing is installed) and
// accepts the configured one; it receives the app's API key on the last verification call, and its webhook endpoint
// accepts the signed `connector.installed` (Standard Webhooks, the app webhook's security token) and refuses a forged one.
import { fileURLToPath } from 'node:url';
import { freePort, type Running, startProcess, waitUntilReady } from '@causerie/test-support/processes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_KEY, clientWithKey, startTestApp, type TestApp } from '../../test/harness.js';
import { until } from '../../test/messaging.js';
import { connectorSignatureHeaders } from './signing.js';

const EXAMPLE = fileURLToPath(new URL('../../../../examples/connector/server.mjs', import.meta.url));
const LOGIN = 'boutique-lyon';
const PASSWORD = 'p4ssw0rd-lyon';

let t: TestApp;
let connector: Running | undefined;
let connectorUrl: string;
let developerToken: string;

const asDeveloper = (method: 'GET' | 'POST' | 'PUT', path: string, json?: unknown) =>
  t.api(method, path, { headers: { authorization: `Bearer ${developerToken}` }, ...(json !== undefined && { json }) });

async function developerAuth(path: string, json: object): Promise<Record<string, unknown>> {
  const answer = await t.app.inject({ method: 'POST', url: `/auth/developer${path}`, payload: json });
  expect(answer.statusCode, answer.body).toBe(200);
  return answer.json<{ data: Record<string, unknown> }>().data;
}

async function received(): Promise<Array<Record<string, unknown>>> {
  return (await fetch(`${connectorUrl}/received`)).json() as Promise<Array<Record<string, unknown>>>;
}

beforeAll(async () => {
  t = await startTestApp({ webhookTimeScale: 0.001 });
  const port = await freePort();
  connectorUrl = `http://127.0.0.1:${port}`;
  const invited = await t.api('POST', '/developer', {
    key: ADMIN_KEY,
    json: { email: 'dev@example-connector.test', name: 'Example Dev', company: 'Example SAS' },
  });
  const { token } = invited.body.data.invitation as { token: string };
  await developerAuth('/activation', { token, password: 'a-long-enough-password' });
  developerToken = String(
    (await developerAuth('/login', { email: 'dev@example-connector.test', password: 'a-long-enough-password' })).token,
  );
});
afterAll(async () => {
  await connector?.stop();
  await t.close();
});

describe('the example connector of docs/APPS.md', () => {
  it('verifies the installer’s values and receives a verified connector.installed', async () => {
    // The app is built first (creating it calls nothing); the connector starts with the webhook's security token.
    const created = await asDeveloper('POST', '/app', {
      name: 'Example connector',
      description: 'examples/connector/server.mjs',
      authentication: {
        fields: [
          { id: 'field_login', label: 'Login', type: 'TEXT' },
          { id: 'field_password', label: 'Password', type: 'PASSWORD' },
        ],
        verification_url: `${connectorUrl}/verify/authentication`,
      },
      settings: {
        fields: [{ id: 'field_currency', label: 'Currency', type: 'TEXT' }],
        verification_url: `${connectorUrl}/verify/settings`,
      },
      interactions: {
        product_list: { catalogue_url: `${connectorUrl}/products`, categories_url: `${connectorUrl}/categories` },
        visitor_profile: { url: `${connectorUrl}/visitor-profile` },
        conversation_closing: { url: `${connectorUrl}/closing` },
      },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(200);
    const appId = Number(created.body.data.id);
    const webhook = await asDeveloper('POST', `/app/${appId}/webhook`, {
      name: 'Installations',
      url: `${connectorUrl}/webhook`,
      events: ['connector.installed', 'connector.uninstalled'],
    });
    expect(webhook.status).toBe(200);
    const securityToken = String(webhook.body.data.security_token);

    const port = new URL(connectorUrl).port;
    const started = startProcess(process.execPath, [EXAMPLE], {
      PORT: port,
      CONNECTOR_LOGIN: LOGIN,
      CONNECTOR_PASSWORD: PASSWORD,
      WEBHOOK_SECRET: securityToken,
      SIGNING_SECRET: String(created.body.data.signing_secret),
    });
    connector = started;
    await waitUntilReady('examples/connector/server.mjs', started, async () => started.output().includes('listening'));

    expect((await asDeveloper('POST', `/app/${appId}/submission`, { version: '1.0.0' })).status).toBe(200);
    const approved = await t.api('POST', `/app/${appId}/review`, { key: ADMIN_KEY, json: { decision: 'approved' } });
    expect(approved.body.data.status).toBe('published');

    const client = await clientWithKey(t, 'Cycles Lyon');
    const website = await t.api('POST', '/website', { key: client.key, json: { url: 'https://cycles-lyon.example' } });
    const websiteId = Number(website.body.data.id);

    const wrong = await t.api('POST', '/installation', {
      key: client.key,
      json: {
        app_id: appId,
        website_id: [websiteId],
        authentication: { field_login: LOGIN, field_password: 'not-the-password' },
        settings: { field_currency: 'EUR' },
      },
    });
    expect(wrong.status).toBe(422);
    expect(wrong.body.meta).toMatchObject({ error: 'verification_refused', field: 'authentication[field_password]' });
    expect(wrong.body.data).toEqual({
      step: 'authentication',
      fields: [{ id: 'field_password', field: 'authentication[field_password]', message: 'password is not valid' }],
    });
    expect((await t.api('GET', '/installation', { key: client.key })).body.data).toEqual([]);
    // The settings step was never reached, so the example got no key.
    expect(started.output()).not.toContain('apiKeyFor');

    const badCurrency = await t.api('POST', '/installation/verification', {
      key: client.key,
      json: { app_id: appId, step: 'settings', values: { field_currency: 'USD' } },
    });
    expect(badCurrency.status).toBe(422);
    expect(badCurrency.body.meta.message).toBe('Unsupported currency.');

    const installed = await t.api('POST', '/installation', {
      key: client.key,
      json: {
        app_id: appId,
        website_id: [websiteId],
        authentication: { field_login: LOGIN, field_password: PASSWORD },
        settings: { field_currency: 'EUR' },
      },
    });
    expect(installed.status, JSON.stringify(installed.body)).toBe(200);
    expect(installed.body.data).toMatchObject({
      app_id: appId,
      version: '1.0.0',
      website_id: [websiteId],
      values: { field_login: LOGIN, field_currency: 'EUR' },
    });
    expect(installed.body.data.values).not.toHaveProperty('field_password');
    // The last verification call (settings) carried the app's key for this client.
    // Logged before it answered; the pipe from the child may be read after the answer: wait for it.
    const keyLine = JSON.stringify({ apiKeyFor: String(client.clientId) });
    await until(() => expect(started.output()).toContain(keyLine), 5_000);

    const events = await until(async () => {
      const all = await received();
      expect(all).toHaveLength(1);
      return all;
    }, 15_000);
    expect(events[0]).toMatchObject({
      eventType: 'connector.installed',
      websiteId,
      connectorId: installed.body.data.connector_id,
      connectorVersionId: installed.body.data.connector_version_id,
    });
    expect(started.output()).toContain('"verified":{');

    // A delivery not signed with the security token is refused and not kept.
    const forged = await fetch(`${connectorUrl}/webhook`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'webhook-id': 'msg_forged',
        'webhook-timestamp': String(Math.floor(Date.now() / 1000)),
        'webhook-signature': `v1,${Buffer.from('not a signature').toString('base64')}`,
      },
      body: JSON.stringify({ eventType: 'connector.uninstalled', websiteId }),
    });
    expect(forged.status).toBe(401);
    expect(await received()).toHaveLength(1);

    // The example's interactions answer Causerie's signed calls only, with the seed's filters and shapes.
    const target = '/products?idCategory=11&search%5Bdefault%5D%5Bcontains%5D=bike&limit=10';
    expect((await fetch(`${connectorUrl}${target}`)).status).toBe(401);
    const products = (await (
      await fetch(`${connectorUrl}${target}`, {
        headers: connectorSignatureHeaders(String(created.body.data.signing_secret), target),
      })
    ).json()) as Array<Record<string, unknown>>;
    expect(products.map((product) => product.id)).toEqual(['1001']);
    expect(Object.keys(products[0] ?? {}).sort()).toEqual(
      [
        'available',
        'brand',
        'description',
        'id',
        'imageUrl',
        'priceCatalog',
        'pricePromotion',
        'priceSpecial',
        'productUrl',
        'reference',
        'shortDescription',
        'title',
      ].sort(),
    );
  });
});
