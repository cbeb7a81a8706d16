// Guessing and flooding from outside: wrong passwords, sign-on keys and API keys are throttled per address and per
// account with 429 and Retry-After, failures take as long whether or not the email or key id exists, and the visitor's
// HTTP fallback has the socket's per-visitor rate, a per-address limit on new visitors and a per-website ceiling.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACCOUNT_POLICY, ADDRESS_POLICY } from '../limits/credentials.js';
import { clientWithKey, startTestApp, type TestApp } from './harness.js';

let t: TestApp;
let key: string;
let websiteId: number;

interface Answer {
  status: number;
  headers: Record<string, unknown>;
  body: { meta: { status: string; error?: string; message?: string }; data?: Record<string, unknown> };
}

async function call(
  method: 'GET' | 'POST',
  url: string,
  options: { payload?: Record<string, unknown>; address?: string; headers?: Record<string, string> } = {},
): Promise<Answer> {
  const answer = await t.app.inject({
    method,
    url,
    ...(options.payload !== undefined && { payload: options.payload }),
    headers: options.headers ?? {},
    remoteAddress: options.address ?? '198.51.100.1',
  });
  return { status: answer.statusCode, headers: answer.headers, body: answer.json() };
}

const login = (email: string, password: string, address?: string) =>
  call('POST', '/auth/login', { payload: { email, password }, ...(address !== undefined && { address }) });

beforeAll(async () => {
  t = await startTestApp();
  ({ key } = await clientWithKey(t, 'Throttle Co'));
  for (const [name, email] of [
    ['Ada', 'ada@throttle.example'],
    ['Bea', 'bea@throttle.example'],
  ])
    expect(
      (await t.api('POST', '/operator', { key, json: { name, email, password: 'correct horse battery' } })).status,
    ).toBe(200);
  const website = await t.api('POST', '/website', { key, json: { url: 'https://throttle.example' } });
  websiteId = Number(website.body.data.id);
});
afterAll(async () => t.close());

describe('password login', () => {
  it('blocks an account after its free wrong passwords, even for the right one, with 429 and Retry-After', async () => {
    const address = '203.0.113.10';
    for (let attempt = 1; attempt <= ACCOUNT_POLICY.free; attempt++)
      expect((await login('ada@throttle.example', `wrong ${attempt}`, address)).status).toBe(401);
    // The failure that spends the last free one is still answered 401 (it was checked); the block starts with it.
    expect((await login('ada@throttle.example', 'wrong again', address)).status).toBe(401);
    const blocked = await login('ADA@throttle.example', 'correct horse battery', '203.0.113.11');
    expect(blocked.status).toBe(429);
    expect(blocked.body.meta).toMatchObject({ status: 'error', error: 'too_many_attempts' });
    expect(blocked.body.meta.message).toMatch(/try again in \d+ s/);
    const retryAfter = Number(blocked.headers['retry-after']);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(ACCOUNT_POLICY.firstBlockMs / 1000);
    // Another account is not blocked by Ada's: Bea logs in from the same address.
    expect((await login('bea@throttle.example', 'correct horse battery', address)).status).toBe(200);
  });

  it('blocks an address that tries many accounts, and counts only failures', async () => {
    const address = '203.0.113.20';
    // Successes do not count: an office behind one address logs in all day.
    for (let i = 0; i < ADDRESS_POLICY.free + 5; i++)
      expect((await login('bea@throttle.example', 'correct horse battery', address)).status).toBe(200);
    for (let i = 0; i <= ADDRESS_POLICY.free; i++)
      expect((await login(`nobody${i}@throttle.example`, 'guess', address)).status).toBe(401);
    const blocked = await login('bea@throttle.example', 'correct horse battery', address);
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    // Another address is not.
    expect((await login('bea@throttle.example', 'correct horse battery', '203.0.113.21')).status).toBe(200);
  });

  it('takes as long to refuse an unknown email as a wrong password for a known one', async () => {
    const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;
    const known: number[] = [];
    const unknown: number[] = [];
    for (let i = 0; i < 7; i++) {
      // Each from its own address and account so no block interferes; alternated so load affects both alike.
      let started = performance.now();
      expect((await login('bea@throttle.example', `nope ${i}`, `192.0.2.${100 + i}`)).status).toBe(401);
      known.push(performance.now() - started);
      // Bea's right password forgives her account's failures, so the next wrong one is checked again, not blocked.
      expect((await login('bea@throttle.example', 'correct horse battery', `192.0.2.${200 + i}`)).status).toBe(200);
      started = performance.now();
      expect((await login(`ghost${i}@throttle.example`, `nope ${i}`, `192.0.2.${150 + i}`)).status).toBe(401);
      unknown.push(performance.now() - started);
    }
    // Without the dummy verification an unknown email answered in about a sixth of the time (2.5 ms against 15 ms).
    expect(median(unknown)).toBeGreaterThan(median(known) * 0.5);
  });
});

describe('sign-on keys', () => {
  it('blocks an address after its free wrong keys', async () => {
    const address = '203.0.113.30';
    for (let i = 0; i <= ADDRESS_POLICY.free; i++)
      expect((await call('POST', '/auth/sso', { payload: { sso_key: `guess-${i}` }, address })).status).toBe(401);
    const blocked = await call('POST', '/auth/sso', { payload: { sso_key: 'one more' }, address });
    expect(blocked.status).toBe(429);
    expect(blocked.headers['retry-after']).toBeDefined();
  });
});

describe('API keys', () => {
  const wrongKey = (i: number) => `csk_${i.toString(16).padStart(16, '0')}_${'A'.repeat(32)}`;

  it('blocks an address after its free wrong keys on v2 and v1 alike; a key it already proved keeps working', async () => {
    const address = '203.0.113.40';
    // A proved key is remembered for a while: the block is about guessing, not about keys already shown to be good.
    expect((await call('GET', '/api/2/website', { headers: { 'x-api-key': key }, address })).status).toBe(200);
    for (let i = 0; i <= ADDRESS_POLICY.free; i++) {
      const answer =
        i % 2 === 0
          ? await call('GET', '/api/2/website', { headers: { 'x-api-key': wrongKey(i) }, address })
          : await call('GET', `/api/operator/getClientOperatorList/?key=${wrongKey(i)}`, { address });
      expect(answer.status).toBe(403);
    }
    const v2 = await call('GET', '/api/2/website', { headers: { 'x-api-key': wrongKey(999) }, address });
    expect(v2.status).toBe(429);
    expect(v2.body.meta.error).toBe('too_many_attempts');
    expect(Number(v2.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    const v1 = await t.app.inject({
      method: 'GET',
      url: `/api/operator/getClientOperatorList/?key=${wrongKey(1000)}`,
      remoteAddress: address,
    });
    expect(v1.statusCode).toBe(429);
    expect(v1.json()).toMatchObject({ result: 'error', message: expect.stringMatching(/Too many failed attempts/) });
    expect((await call('GET', '/api/2/website', { headers: { 'x-api-key': key }, address })).status).toBe(200);
    // Elsewhere, wrong keys are still plain 403s.
    expect((await call('GET', '/api/2/website', { headers: { 'x-api-key': wrongKey(7) } })).status).toBe(403);
  });

  it('takes as long to refuse an unknown key id as a wrong secret for a known one', async () => {
    const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;
    const knownId = key.slice(0, 'csk_'.length + 16);
    const known: number[] = [];
    const unknown: number[] = [];
    for (let i = 0; i < 7; i++) {
      const secret = `${String(i).padStart(2, '0')}${'B'.repeat(30)}`;
      let started = performance.now();
      const wrongSecret = `${knownId}_${secret}`;
      expect((await call('GET', '/api/2/website', { headers: { 'x-api-key': wrongSecret } })).status).toBe(403);
      known.push(performance.now() - started);
      started = performance.now();
      expect((await call('GET', '/api/2/website', { headers: { 'x-api-key': wrongKey(5000 + i) } })).status).toBe(403);
      unknown.push(performance.now() - started);
    }
    expect(median(unknown)).toBeGreaterThan(median(known) * 0.5);
  });

  it('reports blocks in the metrics', async () => {
    const metrics = await t.app.inject({ method: 'GET', url: '/metrics' });
    expect(metrics.body).toMatch(/causerie_credential_blocks_total\{kind="api_key"\} [1-9]/);
    expect(metrics.body).toMatch(/causerie_limited_requests_total\{limit="password"\} [1-9]/);
  });
});

describe('visitor HTTP fallback', () => {
  const countVisitors = async () =>
    Number(
      (
        await t.store.db
          .selectFrom('visitor')
          .select((eb) => eb.fn.countAll<number>().as('count'))
          .executeTakeFirstOrThrow()
      ).count,
    );

  const send = (payload: Record<string, unknown>, address = '198.51.100.50') =>
    call('POST', '/realtime/visitor/messages', { payload: { website_id: websiteId, ...payload }, address });

  it('holds one visitor to the socket rate: a burst of 300 messages is cut to the burst plus the refill with 429', async () => {
    const first = await send({ text: 'hello' });
    expect(first.status).toBe(200);
    const vuid = String(first.body.data?.vuid);
    const started = performance.now();
    const answers = await Promise.all(
      Array.from({ length: 300 }, (_, i) => send({ vuid, text: `message ${i}`, client_message_id: `m${i}` })),
    );
    const seconds = (performance.now() - started) / 1000;
    const accepted = answers.filter((answer) => answer.status === 200).length;
    const refused = answers.filter((answer) => answer.status === 429);
    expect(accepted).toBeGreaterThanOrEqual(50);
    // At most the burst of 60 (one spent by the first message) plus 20 for every second the burst took to answer: the
    // bound follows the time taken, as a loaded machine commits 300 messages slowly enough to refill the bucket.
    expect(accepted).toBeLessThanOrEqual(60 + Math.ceil(20 * seconds) + 1);
    expect(refused.length + accepted).toBe(300);
    // The poll of the same visitor spends the same bucket: 100 polls cost no commit, so they outrun the refill.
    const polls = await Promise.all(
      Array.from({ length: 100 }, () =>
        call('GET', `/realtime/visitor/messages?website_id=${websiteId}&vuid=${vuid}`, { address: '198.51.100.50' }),
      ),
    );
    const pollRefused = polls.filter((answer) => answer.status === 429);
    expect(pollRefused.length).toBeGreaterThan(0);
    const refusal = refused[0] ?? pollRefused[0];
    expect(refusal?.body.meta).toMatchObject({ error: 'rate_limited' });
    expect(refusal?.body.meta.message).toMatch(/from this visitor: at most 20 a second/);
    expect(Number(refusal?.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    // Another visitor is not limited by this one.
    const other = await send({ text: 'another visitor' }, '198.51.100.51');
    expect(other.status).toBe(200);
  });

  it('limits new visitors from one address, counting made-up vuids as new', async () => {
    const address = '198.51.100.60';
    const visitorsBefore = await countVisitors();
    const answers: Answer[] = [];
    for (let i = 0; i < 40; i++)
      answers.push(
        await send(i % 2 === 0 ? { text: `new ${i}` } : { vuid: `made-up-${i}`, text: `new ${i}` }, address),
      );
    const accepted = answers.filter((answer) => answer.status === 200).length;
    expect(accepted).toBeGreaterThanOrEqual(20);
    expect(accepted).toBeLessThanOrEqual(22);
    const refused = answers.find((answer) => answer.status === 429);
    expect(refused?.body.meta.message).toMatch(/starting new visitors from this address/);
    expect((await countVisitors()) - visitorsBefore).toBe(accepted);
    // A visitor already known from that address still talks.
    const known = answers.find((answer) => answer.status === 200);
    expect((await send({ vuid: String(known?.body.data?.vuid), text: 'still here' }, address)).status).toBe(200);
    // Another address starts visitors.
    expect((await send({ text: 'elsewhere' }, '198.51.100.61')).status).toBe(200);
  });
});

describe('behind a proxy', () => {
  it('counts by the client address X-Forwarded-For gives when CAUSERIE_TRUST_PROXY names the proxy', async () => {
    const proxied = await startTestApp({ trustProxy: 'loopback' });
    try {
      const { key: proxiedKey } = await clientWithKey(proxied, 'Proxied Co');
      expect(
        (
          await proxied.api('POST', '/operator', {
            key: proxiedKey,
            json: { name: 'Cy', email: 'cy@proxy.example', password: 'correct horse battery' },
          })
        ).status,
      ).toBe(200);
      // A new email each time: the address's count is tested, not an account's.
      let attempt = 0;
      const viaProxy = (client: string, password: string) =>
        proxied.app.inject({
          method: 'POST',
          url: '/auth/login',
          payload: { email: `user-${attempt++}@proxy.example`, password },
          headers: { 'x-forwarded-for': client },
          remoteAddress: '127.0.0.1',
        });
      for (let i = 0; i <= ADDRESS_POLICY.free; i++) expect((await viaProxy('192.0.2.1', 'x')).statusCode).toBe(401);
      expect((await viaProxy('192.0.2.1', 'x')).statusCode).toBe(429);
      // The proxy's other clients are not blocked by one of them.
      expect((await viaProxy('192.0.2.2', 'x')).statusCode).toBe(401);
    } finally {
      await proxied.close();
    }
  });
});
