// The read cache: a GET polled again is answered from memory, but never after a change under it was committed, never
// to another reader, and never past its age; what the API answers is the same with or without it.
import { eventually } from '@causerie/test-support/wait';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CommittedEvent } from '../events/dispatcher.js';
import { ADMIN_KEY, clientWithKey, startTestApp, type TestApp } from '../test/harness.js';
import { DEFAULT_READ_CACHE, ReadCache } from './read-cache.js';

let t: TestApp;
let first: { key: string; clientId: number };
let second: { key: string; clientId: number };

const get = async (url: string, headers: Record<string, string>) => {
  const answer = await t.app.inject({ method: 'GET', url, headers });
  return { status: answer.statusCode, body: answer.body, type: answer.headers['content-type'] };
};

beforeAll(async () => {
  t = await startTestApp();
  first = await clientWithKey(t, 'Cache One');
  second = await clientWithKey(t, 'Cache Two');
  for (const [key, url] of [
    [first.key, 'https://one.example'],
    [second.key, 'https://two.example'],
  ] as const)
    expect((await t.api('POST', '/website', { key, json: { url } })).status).toBe(200);
});
afterAll(async () => t.close());

describe('the read cache', () => {
  it('answers a GET polled again from memory, with the same body and content type', async () => {
    const url = '/api/2/website?full=1';
    const fresh = await get(url, { 'x-api-key': first.key });
    const hitsBefore = t.context.readCache.hits;
    const again = await get(url, { 'x-api-key': first.key });
    expect(t.context.readCache.hits).toBe(hitsBefore + 1);
    expect(again).toEqual(fresh);
    expect(again.type).toMatch(/^application\/json/);
  });

  it('never serves a kept answer after a change was committed (read your writes)', async () => {
    const url = '/api/2/website?full=1';
    const urls = async () =>
      JSON.parse((await get(url, { 'x-api-key': first.key })).body).data.map((w: { url: string }) => w.url);
    expect(await urls()).toEqual(['https://one.example']);
    const made = await t.api('POST', '/website', { key: first.key, json: { url: 'https://one-more.example' } });
    expect(made.status).toBe(200);
    expect(await urls()).toEqual(['https://one-more.example', 'https://one.example']);
    const renamed = await t.api('PUT', `/website/${made.body.data.id}`, {
      key: first.key,
      json: { url: 'https://renamed.example' },
    });
    expect(renamed.status).toBe(200);
    expect(await urls()).toEqual(['https://renamed.example', 'https://one.example']);
  });

  it('shows the writer the effect of a write that appends no event (a webhook replay queues deliveries)', async () => {
    const site = (await t.api('GET', '/website', { key: first.key })).body.data[0]?.id;
    const from = new Date(Date.now() - 1_000).toISOString().slice(0, 19).replace('T', ' ');
    expect((await t.api('POST', '/conversation', { key: first.key, json: { website_id: site } })).status).toBe(200);
    // The conversation's event fanned out before the webhook exists, so that only the replay delivers it (a loaded
    // runner's worker could otherwise fan it out to the new webhook as well: two deliveries).
    await eventually(
      async () =>
        (await t.store.db.selectFrom('webhook_outbox').select('id').limit(1).executeTakeFirst()) === undefined
          ? true
          : undefined,
      10_000,
      'the webhook outbox to be fanned out',
    );
    const hook = await t.api('POST', '/webhook', {
      key: first.key,
      json: { url: 'https://hooks.example.com/causerie', events: ['conversation.started'] },
    });
    const id = hook.body.data.id;
    const deliveries = async () =>
      JSON.parse((await get(`/api/2/webhook/${id}/delivery?full=1`, { 'x-api-key': first.key })).body).data;
    expect(await deliveries()).toEqual([]);
    const to = new Date(Date.now() + 1_000).toISOString().slice(0, 19).replace('T', ' ');
    const replay = await t.api('POST', `/webhook/${id}/replay`, { key: first.key, json: { from, to } });
    expect(replay.body.data).toEqual({ queued: 1 });
    expect(await deliveries()).toHaveLength(1);
  });

  it('keeps answers per reader: another client, and the platform, get their own', async () => {
    const url = '/api/2/website?full=1';
    const one = JSON.parse((await get(url, { 'x-api-key': first.key })).body).data;
    const two = JSON.parse((await get(url, { 'x-api-key': second.key })).body).data;
    expect(one.map((w: { url: string }) => w.url)).toEqual(['https://renamed.example', 'https://one.example']);
    expect(two.map((w: { url: string }) => w.url)).toEqual(['https://two.example']);
    const platform = JSON.parse((await get(`${url}&limit=100`, { 'x-api-key': ADMIN_KEY })).body).data;
    expect(platform.length).toBeGreaterThanOrEqual(2);
    // And another change of client two moves the platform's generation on, not client one's.
    const generationOne = t.context.readCache.generationOf({
      scope: 'client',
      clientId: first.clientId,
      partnerId: null,
      keyId: 1,
    });
    expect((await t.api('POST', '/website', { key: second.key, json: { url: 'https://two-b.example' } })).status).toBe(
      200,
    );
    expect(
      t.context.readCache.generationOf({ scope: 'client', clientId: first.clientId, partnerId: null, keyId: 1 }),
    ).toBe(generationOne);
    const platformAfter = JSON.parse((await get(`${url}&limit=100`, { 'x-api-key': ADMIN_KEY })).body).data;
    expect(platformAfter.map((w: { url: string }) => w.url)).toContain('https://two-b.example');
  });

  it('keeps answers per console session: an agent does not get what an admin of the same client was shown', async () => {
    const admin = await t.api('POST', '/operator', {
      key: first.key,
      json: { name: 'Ada', email: 'ada@cache.example', password: 'correct horse battery', role: 'admin' },
    });
    const agent = await t.api('POST', '/operator', {
      key: first.key,
      json: { name: 'Bob', email: 'bob@cache.example', password: 'correct horse battery' },
    });
    expect([admin.status, agent.status]).toEqual([200, 200]);
    const session = async (email: string) => {
      const login = await t.app.inject({
        method: 'POST',
        url: '/auth/login',
        payload: { email, password: 'correct horse battery' },
      });
      return String(login.json<{ data: { token: string } }>().data.token);
    };
    const url = `/api/2/operator/${admin.body.data.id}`;
    const asAdmin = JSON.parse(
      (await get(url, { authorization: `Bearer ${await session('ada@cache.example')}` })).body,
    );
    const asAgent = JSON.parse(
      (await get(url, { authorization: `Bearer ${await session('bob@cache.example')}` })).body,
    );
    expect(asAdmin.data.email).toBe('ada@cache.example');
    // An agent sees a colleague's name, not their login email (docs/SECURITY.md, operator fields by reader).
    expect(asAgent.data.name).toBe('Ada');
    expect(asAgent.data.email).toBeUndefined();
  });

  it('is not used for errors nor for writes', async () => {
    const missing = '/api/2/website/999999';
    expect((await get(missing, { 'x-api-key': first.key })).status).toBe(404);
    const hits = t.context.readCache.hits;
    expect((await get(missing, { 'x-api-key': first.key })).status).toBe(404);
    expect(t.context.readCache.hits).toBe(hits);
  });
});

describe('ReadCache', () => {
  const reader = { scope: 'client' as const, clientId: 7, partnerId: null, keyId: 1 };

  it('drops an answer past its age, and the least recently used past its size', () => {
    let now = 0;
    const cache = new ReadCache({ maxAgeMs: 1_000, maxBytes: 10, maxEntryBytes: 8, waitForAnswerMs: 100 }, () => now);
    const generation = cache.generationOf(reader);
    cache.set('a', generation, 'application/json', '12345');
    now = 999;
    expect(cache.get('a', generation)).toMatchObject({ fresh: true, entry: { body: Buffer.from('12345') } });
    // Past its age it is still there, marked stale (served only while a refresh of it is in flight)…
    now = 1_001;
    expect(cache.get('a', generation)?.fresh).toBe(false);
    // …but an answer of an older generation is never returned.
    expect(cache.get('a', generation + 1)).toBeUndefined();
    expect(cache.get('a', generation)).toBeUndefined();
    cache.set('a', generation, 'application/json', '12345');
    cache.set('b', generation, 'application/json', '1234');
    expect(cache.get('a', generation)).toBeDefined();
    // 'b' is now the least recently used: a third answer that does not fit pushes it out.
    cache.set('c', generation, 'application/json', '123');
    expect(cache.get('b', generation)).toBeUndefined();
    expect(cache.get('a', generation)).toBeDefined();
    expect(cache.get('c', generation)?.fresh).toBe(true);
    // Too large for one entry: not kept at all.
    cache.set('d', generation, 'application/json', '123456789');
    expect(cache.get('d', generation)).toBeUndefined();
  });

  it('makes concurrent misses wait for one answer, but not for one that never comes', async () => {
    const app = Fastify();
    const cache = new ReadCache({ ...DEFAULT_READ_CACHE, waitForAnswerMs: 200 });
    app.decorateRequest('principal');
    app.addHook('onRequest', async (request, reply) => {
      request.principal = reader;
      if (await cache.lookUp(request, reply)) return reply;
    });
    cache.install(app);
    let made = 0;
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    app.get('/answer', async () => {
      made += 1;
      const mine = made;
      if (mine === 1) await held;
      return { made: mine };
    });
    try {
      const first = app.inject({ method: 'GET', url: '/answer' });
      await new Promise((resolve) => setTimeout(resolve, 20));
      // The first is still making it: the second waits 200 ms, then makes its own.
      const started = performance.now();
      const second = await app.inject({ method: 'GET', url: '/answer' });
      expect(second.json()).toEqual({ made: 2 });
      expect(performance.now() - started).toBeGreaterThanOrEqual(150);
      release();
      expect((await first).json()).toEqual({ made: 1 });
      // Kept now: the next is a hit.
      expect((await app.inject({ method: 'GET', url: '/answer' })).json()).toMatchObject({ made: expect.any(Number) });
      expect(made).toBe(2);
      // Many at once after a change: one makes it, the others wait for it.
      cache.invalidate([
        {
          type: 'website.updated',
          partnerId: null,
          clientId: reader.clientId,
          subject: { type: 'website', id: 1 },
          payload: { changed: ['url'] },
          at: '2026-12-04T00:00:00.000Z',
        },
      ]);
      const answers = await Promise.all(
        Array.from({ length: 20 }, () => app.inject({ method: 'GET', url: '/answer' })),
      );
      expect(new Set(answers.map((answer) => answer.body))).toEqual(new Set(['{"made":3}']));
      expect(made).toBe(3);
    } finally {
      await app.close();
    }
  });

  it("moves a client's generation with its events, and everyone's with events of no client", () => {
    const cache = new ReadCache();
    const event = (clientId: number | null): CommittedEvent<'website.updated'> => ({
      type: 'website.updated',
      partnerId: null,
      clientId,
      subject: { type: 'website', id: 1 },
      payload: { changed: ['url'] },
      at: '2026-12-04T00:00:00.000Z',
    });
    const other = { ...reader, clientId: 8 };
    const platform = { scope: 'platform' as const, keyId: null };
    const before = [cache.generationOf(reader), cache.generationOf(other), cache.generationOf(platform)];
    cache.invalidate([event(7)]);
    expect([cache.generationOf(reader), cache.generationOf(other), cache.generationOf(platform)]).toEqual([
      (before[0] ?? 0) + 1,
      before[1],
      (before[2] ?? 0) + 1,
    ]);
    cache.invalidate([event(null)]);
    expect(cache.generationOf(other)).toBe((before[1] ?? 0) + 1);
  });
});
