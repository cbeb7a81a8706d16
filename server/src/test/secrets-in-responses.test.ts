// Secrets are write-only (issue 15): each resource that takes or makes one is created with it, then every read of that
// resource and its full list, by every reader allowed to read it, must not carry the secret anywhere in the body.
// Operators' SSO keys and passwords have their own matrix (domain/people/visibility.test.ts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_KEY, type ApiAnswer, clientWithKey, partnerWithKey, startTestApp, type TestApp } from './harness.js';

let t: TestApp;
let key: string;
let clientId: number;
let websiteId: number;
let adminToken: string;
let agentToken: string;

type Reader = { name: string; key?: string; token?: string };
let readers: Reader[];

function get(reader: Reader, path: string): Promise<ApiAnswer> {
  return t.api(
    'GET',
    path,
    reader.token === undefined ? { key: reader.key } : { headers: { authorization: `Bearer ${reader.token}` } },
  );
}

/** Reads each path as each reader; any answer (200, or 403 for a reader refused) must not contain a secret. */
async function expectNowhere(paths: string[], secrets: string[], expectedReads: number): Promise<void> {
  let reads = 0;
  for (const reader of readers)
    for (const path of paths) {
      const answer = await get(reader, path);
      if (answer.status === 200) reads += 1;
      const body = JSON.stringify(answer.body);
      for (const secret of secrets) expect(body, `${reader.name} GET ${path}`).not.toContain(secret);
    }
  // The reads really happened (a test that only met 403s would prove nothing).
  expect(reads).toBe(expectedReads);
}

async function login(email: string, password: string): Promise<string> {
  const answer = await t.app.inject({ method: 'POST', url: '/auth/login', payload: { email, password } });
  if (answer.statusCode !== 200) throw new Error(`login failed: ${answer.body}`);
  return answer.json<{ data: { token: string } }>().data.token;
}

beforeAll(async () => {
  t = await startTestApp();
  ({ key, clientId } = await clientWithKey(t, 'Secrets Co'));
  websiteId = Number((await t.api('POST', '/website', { key, json: { url: 'https://secrets.example' } })).body.data.id);
  for (const [name, role] of [
    ['admin', 'admin'],
    ['agent', 'operator'],
  ] as const) {
    const created = await t.api('POST', '/operator', {
      key,
      json: { name, email: `${name}@secrets.example`, password: `${name}-password`, roles: [role] },
    });
    if (created.status !== 200) throw new Error(JSON.stringify(created.body));
  }
  adminToken = await login('admin@secrets.example', 'admin-password');
  agentToken = await login('agent@secrets.example', 'agent-password');
  readers = [
    { name: 'client key', key },
    { name: 'admin session', token: adminToken },
    { name: 'agent session', token: agentToken },
  ];
});
afterAll(async () => t.close());

describe('channel credentials are write-only', () => {
  const cases = [
    {
      type: 'whatsapp',
      credentials: {
        phone_number_id: '106540352242922',
        access_token: 'EAAG-whatsapp-access-token-secret',
        app_secret: 'whatsapp-app-secret-value',
        verify_token: 'whatsapp-verify-token-value',
      },
      secrets: ['EAAG-whatsapp-access-token-secret', 'whatsapp-app-secret-value', 'whatsapp-verify-token-value'],
    },
    {
      type: 'sms',
      credentials: {
        account_sid: `AC${'a1'.repeat(16)}`,
        auth_token: 'twilio-auth-token-secret-0123',
        from: '+33700000001',
      },
      secrets: ['twilio-auth-token-secret-0123'],
    },
    {
      type: 'rcs',
      credentials: {
        agent_id: 'secrets-agent',
        access_token: 'ya29.rcs-access-token-secret',
        client_token: 'rcs-client-token-secret',
      },
      secrets: ['ya29.rcs-access-token-secret', 'rcs-client-token-secret'],
    },
  ] as const;

  it.each(cases)(
    '$type: not in the create or update answer, nor in any read',
    async ({ type, credentials, secrets }) => {
      const created = await t.api('POST', '/channel', {
        key,
        json: { type, website_id: websiteId, name: `${type} line`, credentials },
      });
      expect(created.status, JSON.stringify(created.body)).toBe(200);
      const id = Number(created.body.data.id);
      for (const secret of secrets) expect(JSON.stringify(created.body)).not.toContain(secret);
      const [first] = secrets;
      const field = Object.entries(credentials).find(([, value]) => value === first)?.[0] as string;
      const renewed = `${first}-renewed`;
      const updated = await t.api('PUT', `/channel/${id}`, { key, json: { credentials: { [field]: renewed } } });
      expect(updated.status, JSON.stringify(updated.body)).toBe(200);
      expect(JSON.stringify(updated.body)).not.toContain(renewed);
      // Client key and admin session read channels; an agent's session is refused them.
      await expectNowhere(['/channel?full=1&limit=100', `/channel/${id}`], [...secrets, renewed], 4);
    },
  );
});

describe('webhook signing secrets are write-only', () => {
  it('shows the secret in the create and rotate answers only; no read shows the current or the previous one', async () => {
    const created = await t.api('POST', '/webhook', {
      key,
      json: { url: 'https://hooks.secrets.example/in', events: ['*'], name: 'CRM' },
    });
    expect(created.status).toBe(200);
    const id = Number(created.body.data.id);
    const secret = String(created.body.data.secret);
    expect(secret).toMatch(/^whsec_/);
    const rotated = await t.api('POST', `/webhook/${id}/rotate`, { key, json: {} });
    expect(rotated.status, JSON.stringify(rotated.body)).toBe(200);
    const renewed = String(rotated.body.data.secret);
    expect(renewed).not.toBe(secret);
    // The base64 body of each secret too, in case a read ever showed it without its prefix.
    const secrets = [secret, renewed, secret.slice('whsec_'.length), renewed.slice('whsec_'.length)];
    await expectNowhere(['/webhook?full=1&limit=100', `/webhook/${id}`, `/webhook/${id}/delivery`], secrets, 6);
  });
});

describe('API keys are shown once', () => {
  it('neither a client nor a partner key’s plaintext, nor its secret half, is in any read of keys', async () => {
    const minted = await t.api('POST', `/client/${clientId}/key`, { key, json: { name: 'rotated' } });
    expect(minted.status).toBe(200);
    const plaintext = String(minted.body.data.key);
    const id = Number(minted.body.data.id);
    const partner = await partnerWithKey(t, 'Secrets partner');
    // `csk_<16 hex>_<secret>`: the secret is base64url, so it may itself hold `_`.
    const secretHalf = (key: string): string => key.slice('csk_'.length + 16 + 1);
    const secrets = [plaintext, secretHalf(plaintext), partner.key, secretHalf(partner.key)];
    for (const secret of secrets) expect(secret.length).toBeGreaterThanOrEqual(32);
    // The client key and the admin session read this client's keys (an agent's session is refused them); the platform
    // key reads every key, the partner's too.
    await expectNowhere(['/key?full=1&limit=100', `/key/${id}`], secrets, 4);
    const platform = { name: 'platform key', key: ADMIN_KEY };
    for (const path of ['/key?full=1&limit=100', `/key/${id}`, `/partner/${partner.partnerId}`]) {
      const answer = await get(platform, path);
      expect(answer.status, path).toBe(200);
      for (const secret of secrets) expect(JSON.stringify(answer.body), path).not.toContain(secret);
    }
  });
});

describe("websites' identity secret", () => {
  it('is never shown to an agent’s session, which could sign any visitor’s identity with it', async () => {
    const secretOf = async (reader: Reader) => (await get(reader, `/website/${websiteId}`)).body.data.identity_secret;
    const secret = await secretOf({ name: 'client key', key });
    expect(typeof secret).toBe('string');
    expect(await secretOf({ name: 'admin session', token: adminToken })).toBe(secret);
    const agent = { name: 'agent session', token: agentToken };
    for (const path of ['/website?full=1&limit=100', `/website/${websiteId}`]) {
      const answer = await get(agent, path);
      expect(answer.status).toBe(200);
      expect(JSON.stringify(answer.body)).not.toContain(String(secret));
      expect(JSON.stringify(answer.body)).not.toContain('identity_secret');
    }
  });
});
