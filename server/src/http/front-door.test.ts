// The front door (http/front-door.ts): over a real socket, a polled GET whose answer is kept is answered before
// Fastify routes it, with the same body, type and request id; anything that must be decided again (a change under
// it, another reader, a key no longer trusted, a session, a miss) goes through Fastify as before.
import type { AddressInfo } from 'node:net';
import { eventually } from '@causerie/test-support/wait';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_KEY, clientWithKey, startTestApp, type TestApp } from '../test/harness.js';

let t: TestApp;
let base: string;
let first: { key: string; clientId: number };
let second: { key: string; clientId: number };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

async function get(path: string, headers: Record<string, string>) {
  const answer = await fetch(`${base}${path}`, { headers });
  return {
    status: answer.status,
    body: await answer.text(),
    type: answer.headers.get('content-type'),
    length: answer.headers.get('content-length'),
    requestId: answer.headers.get('x-request-id'),
  };
}

/** How many answers the door served: the gauge operators read. */
async function doorAnswers(): Promise<number> {
  const text = await (await fetch(`${base}/metrics`)).text();
  return Number(/^causerie_read_cache_front_door_answers (\d+)$/m.exec(text)?.[1] ?? Number.NaN);
}

async function routeCount(route: string): Promise<number> {
  const text = await (await fetch(`${base}/metrics`)).text();
  const line = text
    .split('\n')
    .find((l) => l.startsWith(`causerie_http_requests_total{method="GET",route="${route}",status="200"}`));
  return line === undefined ? 0 : Number(line.slice(line.lastIndexOf(' ') + 1));
}

beforeAll(async () => {
  t = await startTestApp();
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
  first = await clientWithKey(t, 'Door One');
  second = await clientWithKey(t, 'Door Two');
  expect((await t.api('POST', '/website', { key: first.key, json: { url: 'https://door-one.example' } })).status).toBe(
    200,
  );
});
afterAll(async () => t.close());

describe('the front door', () => {
  it('answers a polled GET before routing with what the route answered: body, type, length, request id', async () => {
    const path = '/api/2/website?full=1';
    const made = await get(path, { 'x-api-key': first.key });
    expect(made.status).toBe(200);
    const before = await doorAnswers();
    const countedBefore = await routeCount('/api/2/website');
    const kept = await get(path, { 'x-api-key': first.key });
    expect(await doorAnswers()).toBe(before + 1);
    expect(kept.status).toBe(200);
    expect(kept.body).toBe(made.body);
    expect(kept.type).toBe(made.type);
    expect(kept.length).toBe(String(Buffer.byteLength(made.body)));
    expect(kept.requestId).toMatch(UUID);
    expect(kept.requestId).not.toBe(made.requestId);
    // Still counted under its route in the metrics, as a routed answer is.
    expect(await routeCount('/api/2/website')).toBe(countedBefore + 1);
    // A load balancer's request id is kept, as Fastify keeps it; a malformed one is replaced.
    expect((await get(path, { 'x-api-key': first.key, 'x-request-id': 'lb-7f3a.1' })).requestId).toBe('lb-7f3a.1');
    expect((await get(path, { 'x-api-key': first.key, 'x-request-id': 'bad id <script>' })).requestId).toMatch(UUID);
  });

  it('takes the key from the query string and Basic authentication as the API does', async () => {
    const path = '/api/2/website?full=1';
    await get(path, { 'x-api-key': first.key });
    const before = await doorAnswers();
    const basic = await get(path, { authorization: `Basic ${Buffer.from(`${first.key}:`).toString('base64')}` });
    expect(basic.status).toBe(200);
    expect(JSON.parse(basic.body).data.map((w: { url: string }) => w.url)).toEqual(['https://door-one.example']);
    expect(await doorAnswers()).toBe(before + 1);
    // The key in the URL is part of the URL: its own kept answer, made once by the route, then served at the door.
    const inQuery = `${path}&key=${encodeURIComponent(first.key)}`;
    expect((await get(inQuery, {})).status).toBe(200);
    expect((await get(inQuery, {})).status).toBe(200);
    expect(await doorAnswers()).toBe(before + 2);
  });

  it('never serves a kept answer after a change, to another reader, or to an unknown key', async () => {
    const path = '/api/2/website?full=1';
    const urls = async (key: string) => JSON.parse((await get(path, { 'x-api-key': key })).body).data;
    await urls(first.key);
    expect(
      (await t.api('POST', '/website', { key: first.key, json: { url: 'https://door-new.example' } })).status,
    ).toBe(200);
    expect((await urls(first.key)).map((w: { url: string }) => w.url)).toEqual([
      'https://door-new.example',
      'https://door-one.example',
    ]);
    expect(await urls(second.key)).toEqual([]);
    const wrong = await get(path, { 'x-api-key': `${first.key.slice(0, -2)}xx` });
    expect(wrong.status).toBeGreaterThanOrEqual(401);
    expect(wrong.status).toBeLessThan(404);
    expect(wrong.body).not.toContain('door-one');
  });

  it('stops serving a revoked key at once: the next request is refused by the API', async () => {
    const made = await t.api('POST', `/client/${first.clientId}/key`, { key: ADMIN_KEY, json: { name: 'doomed' } });
    const secret = String(made.body.data.key);
    const path = '/api/2/website';
    expect((await get(path, { 'x-api-key': secret })).status).toBe(200);
    const before = await doorAnswers();
    expect((await get(path, { 'x-api-key': secret })).status).toBe(200);
    expect(await doorAnswers()).toBe(before + 1);
    expect((await t.api('DELETE', `/key/${made.body.data.id}`, { key: ADMIN_KEY })).status).toBe(200);
    // The node forgets the key as its revocation commits (a reaction; relayed to other nodes: realtime/redis.test.ts).
    const revokedAt = performance.now();
    await eventually(async () => expect((await get(path, { 'x-api-key': secret })).status).toBe(403), 1000);
    expect(performance.now() - revokedAt).toBeLessThan(1000);
    const refused = await get(path, { 'x-api-key': secret });
    expect(JSON.parse(refused.body).meta.status).toBe('error');
  });

  it('leaves console sessions, writes and other paths to Fastify', async () => {
    const before = await doorAnswers();
    const operator = await t.api('POST', '/operator', {
      key: first.key,
      json: { name: 'Dora', email: 'dora@door.example', password: 'correct horse battery', role: 'admin' },
    });
    expect(operator.status).toBe(200);
    const login = await fetch(`${base}/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'dora@door.example', password: 'correct horse battery' }),
    });
    const token = String(((await login.json()) as { data: { token: string } }).data.token);
    const path = '/api/2/website?full=1';
    const asSession = { authorization: `Bearer ${token}` };
    expect((await get(path, asSession)).status).toBe(200);
    expect((await get(path, asSession)).status).toBe(200);
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    expect(await doorAnswers()).toBe(before);
  });
});
