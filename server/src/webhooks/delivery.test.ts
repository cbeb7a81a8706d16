// Webhook delivery against real receivers on loopback: signatures, payloads, retries, Retry-After, 410, timeouts, ordering, replay.
import { createHmac } from 'node:crypto';
import { type Receiver, startReceiver } from '@causerie/test-support/webhook-receiver';
import { Webhook } from 'standardwebhooks';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { clientWithKey, eventTypesFor, startTestApp, type TestApp } from '../test/harness.js';

// Retry delays and Retry-After × 0.001: 5 s → 5 ms, 5 min → 300 ms.
const SCALE = 0.001;
let t: TestApp;
let key: string;
let clientId: number;
let siteId: number;
let otherSiteId: number;
const receivers: Receiver[] = [];

beforeAll(async () => {
  // 1 s: long enough that a loaded CI machine (two passes on two cores) does not time a quick receiver out.
  t = await startTestApp({ webhookTimeScale: SCALE, webhookTimeoutMs: 1_000 });
  ({ key, clientId } = await clientWithKey(t, 'Delivery Co'));
  siteId = (await t.api('POST', '/website', { key, json: { url: 'https://shop.example' } })).body.data.id;
  otherSiteId = (await t.api('POST', '/website', { key, json: { url: 'https://blog.example' } })).body.data.id;
});
afterEach(async () => {
  // Each test's subscriptions end with it, so later tests' events go only to their own receivers.
  await t.store.db.updateTable('webhook').set({ enabled: 0 }).execute();
});
afterAll(async () => {
  await t.close();
  await Promise.all(receivers.map((receiver) => receiver.close()));
});

async function receiver(): Promise<Receiver> {
  const started = await startReceiver();
  receivers.push(started);
  return started;
}

async function subscribe(json: Record<string, unknown>): Promise<{ id: number; secret: string }> {
  const answer = await t.api('POST', '/webhook', { key, json });
  if (answer.status !== 200) throw new Error(JSON.stringify(answer.body));
  return { id: answer.body.data.id, secret: String(answer.body.data.secret) };
}

async function startConversation(website = siteId): Promise<number> {
  const answer = await t.api('POST', '/conversation', { key, json: { website_id: website } });
  if (answer.status !== 200) throw new Error(JSON.stringify(answer.body));
  return answer.body.data.id;
}

async function deliveries(webhookId: number, query = '') {
  const answer = await t.api('GET', `/webhook/${webhookId}/delivery?full=1&limit=100${query}`, { key });
  expect(answer.status).toBe(200);
  return answer.body.data;
}

async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 8_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const hmacHex = (secret: string, body: string) => `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;

describe('a delivered event', () => {
  it('carries seed 003 fields and both signatures, which standardwebhooks verifies', async () => {
    const hook = await receiver();
    const { id, secret } = await subscribe({ url: hook.url, events: ['conversations.domain'] });
    const conversationId = await startConversation();
    const [request] = await hook.waitFor(1);
    if (!request) throw new Error('no request');
    const body = JSON.parse(request.body) as Record<string, unknown>;
    const conversation = await t.store.db
      .selectFrom('conversation')
      .innerJoin('visitor', 'visitor.id', 'conversation.visitor_id')
      .select(['visitor.unique_id', 'conversation.channel'])
      .where('conversation.id', '=', conversationId)
      .executeTakeFirstOrThrow();
    expect(Object.keys(body)).toEqual([
      'eventId',
      'eventType',
      'platform',
      'websiteId',
      'clientId',
      'conversationId',
      'operatorId',
      'channel',
      'visitorId',
      'createdAt',
      'sentAt',
    ]);
    expect(body).toMatchObject({
      eventType: 'conversation.started',
      platform: 'causerie',
      websiteId: siteId,
      clientId,
      conversationId,
      operatorId: null,
      channel: conversation.channel,
      visitorId: conversation.unique_id,
    });
    expect(body.eventId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(body.createdAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00$/);
    expect(request.headers['content-type']).toBe('application/json');
    expect(request.headers['x-causerie-signature']).toBe(hmacHex(secret, request.body));
    expect(request.headers['x-causerie-delivery']).toMatch(/^[0-9a-f-]{36}$/);
    expect(request.headers['x-causerie-correlationid']).toMatch(/^[0-9a-f-]{36}$/);
    expect(request.headers['webhook-id']).toBe(`msg_${request.headers['x-causerie-correlationid']?.replace(/-/g, '')}`);
    expect(new Webhook(secret).verify(request.body, request.headers)).toEqual(body);
    expect(() =>
      new Webhook(`whsec_${Buffer.from('another secret!!').toString('base64')}`).verify(request.body, request.headers),
    ).toThrow();

    const log = await until(
      () => deliveries(id),
      (rows) => rows[0]?.status === 'delivered',
    );
    expect(log).toHaveLength(1);
    expect(log[0]).toMatchObject({
      event_type: 'conversation.started',
      attempt: 1,
      status: 'delivered',
      http_status: 200,
      error: null,
      request_body: request.body,
      webhook_id: request.headers['webhook-id'],
      delivery_id: request.headers['x-causerie-delivery'],
      next_attempt_at: null,
    });
    expect(log[0]?._link).toBe(`/webhook/${id}/delivery/${log[0]?.id}`);
    const one = await t.api('GET', `/webhook/${id}/delivery/${log[0]?.id}`, { key });
    expect(one.body.data.correlation_id).toBe(request.headers['x-causerie-correlationid']);
  });

  it('sends iAdvize headers and form bodies with compat iadvize, and the Push API format', async () => {
    const hook = await receiver();
    const { secret } = await subscribe({
      url: hook.url,
      events: ['conversation.started', 'conversation.closed'],
      compat: 'iadvize',
      content_type: 'application/x-www-form-urlencoded',
      format: 'push',
    });
    const conversationId = await startConversation();
    await t.api('POST', `/conversation/${conversationId}/close`, { key, json: {} });
    const [started, ended] = await hook.waitFor(2);
    if (!started || !ended) throw new Error('missing requests');
    expect(started.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(started.headers['x-iadvize-signature']).toBe(hmacHex(secret, started.body));
    expect(started.headers['x-iadvize-delivery']).toBeDefined();
    expect(started.headers['x-iadvize-correlationid']).toBeDefined();
    expect(started.headers['x-causerie-signature']).toBeUndefined();
    const form = new URLSearchParams(started.body);
    expect(form.get('name')).toBe('conversation.start');
    expect(form.get('datetime[created]')).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
    expect(form.get('parameters[conversation_id]')).toBe(String(conversationId));
    expect(form.get('parameters[website_id]')).toBe(String(siteId));
    expect(new URLSearchParams(ended.body).get('name')).toBe('conversation.end');
  });

  it("fills the Push API's group_id with the operator's group and custom_data with the visitor's data", async () => {
    const hook = await receiver();
    await subscribe({ url: hook.url, events: ['conversation.started', 'conversation.closed'], format: 'push' });
    const group = await t.api('POST', '/group', { key, json: { name: 'Après-vente' } });
    const groupId = Number(group.body.data.id);
    const operator = await t.api('POST', '/operator', {
      key,
      json: { name: 'Léa Push', email: 'lea-push@example.com', group_id: groupId, website_list: [siteId] },
    });
    const operatorId = Number(operator.body.data.id);
    const visitor = await t.api('POST', '/visitor', {
      key,
      json: {
        unique_id: 'push-visitor',
        external_id: 'CRM-42',
        firstname: 'Marie',
        email: 'marie@example.com',
        website_id: [siteId],
      },
    });
    expect(visitor.status).toBe(200);
    const started = await t.api('POST', '/conversation', {
      key,
      json: { website_id: siteId, visitor_uid: 'push-visitor', operator_id: operatorId },
    });
    const conversationId = Number(started.body.data.id);
    await t.api('POST', `/conversation/${conversationId}/close`, { key, json: {} });
    // An anonymous visitor waiting for an operator: no group yet, no data.
    const waitingId = await startConversation();
    // Deliveries keep their order within a conversation only: pick each by its name and conversation.
    const pushes = (await hook.waitFor(3)).map(
      (request) => JSON.parse(request.body) as { name: string; parameters: Record<string, unknown> },
    );
    const find = (name: string, id: number) =>
      pushes.find((push) => push.name === name && push.parameters.conversation_id === id);
    const start = find('conversation.start', conversationId);
    const end = find('conversation.end', conversationId);
    const waiting = find('conversation.start', waitingId);
    const common = { conversation_id: conversationId, type: 'chat', operator_id: operatorId, website_id: siteId };
    expect(start).toMatchObject({
      name: 'conversation.start',
      parameters: {
        ...common,
        group_id: groupId,
        custom_data: { external_id: 'CRM-42', firstname: 'Marie', email: 'marie@example.com' },
      },
    });
    expect(Object.keys(start?.parameters.custom_data as object)).toEqual(['external_id', 'firstname', 'email']);
    expect(end).toEqual(
      expect.objectContaining({ name: 'conversation.end', parameters: { ...common, group_id: groupId } }),
    );
    expect(waiting?.parameters).toEqual({
      conversation_id: waitingId,
      type: 'chat',
      operator_id: null,
      website_id: siteId,
      group_id: null,
      custom_data: {},
    });
  });

  it('goes only to subscriptions selecting its name and website', async () => {
    const shop = await receiver();
    const everything = await receiver();
    await subscribe({ url: shop.url, events: ['conversation.started'], website_id: [siteId] });
    await subscribe({ url: everything.url, events: ['*'] });
    await startConversation(otherSiteId);
    await startConversation(siteId);
    await everything.waitFor(2);
    await shop.waitFor(1);
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(shop.received).toHaveLength(1);
    expect(JSON.parse(shop.received[0]?.body ?? '{}').websiteId).toBe(siteId);
    expect(everything.received.map((request) => JSON.parse(request.body).eventType)).toEqual([
      'conversation.started',
      'conversation.started',
    ]);
  });

  it('keeps the order of a conversation, and maps message.created', async () => {
    const hook = await receiver();
    // A slow receiver: with no ordering, later messages would overtake earlier ones.
    hook.respond = (_request, n) => ({ status: 200, delayMs: n % 3 === 0 ? 30 : 1 });
    await subscribe({ url: hook.url, events: ['message.created'] });
    const conversationId = await startConversation();
    for (let i = 0; i < 12; i++)
      await t.api('POST', `/conversation/${conversationId}/message`, {
        key,
        json: { type: 'visitor', text: `message ${i}` },
      });
    const received = await hook.waitFor(12);
    const bodies = received.map((request) => JSON.parse(request.body) as Record<string, unknown>);
    expect(bodies.map((body) => body.messageSeq)).toEqual(
      [...bodies.map((body) => body.messageSeq)].sort((a, b) => Number(a) - Number(b)),
    );
    expect(bodies[0]).toMatchObject({
      eventType: 'message.created',
      conversationId,
      websiteId: siteId,
      messageType: 'visitor',
    });
    expect(typeof bodies[0]?.visitorId).toBe('string');
  });
});

describe('failures', () => {
  it('retries a flapping receiver with the same correlation and webhook-id, a new delivery id each time', async () => {
    const hook = await receiver();
    hook.respond = (_request, n) => (n < 3 ? { status: 500, body: 'database down' } : { status: 204 });
    const { id } = await subscribe({ url: hook.url, events: ['conversation.started'] });
    await startConversation();
    const received = await hook.waitFor(3);
    expect(new Set(received.map((request) => request.headers['webhook-id'])).size).toBe(1);
    expect(new Set(received.map((request) => request.headers['x-causerie-correlationid'])).size).toBe(1);
    expect(new Set(received.map((request) => request.headers['x-causerie-delivery'])).size).toBe(3);
    expect(new Set(received.map((request) => request.body)).size).toBe(1);
    const log = await until(
      () => deliveries(id),
      (rows) => rows[0]?.status === 'delivered',
    );
    expect(log.map((row) => [row.attempt, row.status, row.http_status])).toEqual([
      [3, 'delivered', 204],
      [2, 'retrying', 500],
      [1, 'retrying', 500],
    ]);
    expect(log[2]?.response_body).toBe('database down');
    expect((await deliveries(id, '&filters[status]=retrying')).length).toBe(2);
  });

  it('gives up on a receiver that does not answer in time, logging why, and tries again', async () => {
    const hook = await receiver();
    hook.respond = (_request, n) => (n === 1 ? { status: 200, delayMs: 3_000 } : { status: 200 });
    const { id } = await subscribe({ url: hook.url, events: ['conversation.started'] });
    await startConversation();
    await hook.waitFor(2);
    const log = await until(
      () => deliveries(id),
      (rows) => rows[0]?.status === 'delivered',
    );
    expect(log[1]).toMatchObject({
      attempt: 1,
      status: 'retrying',
      http_status: null,
      error: 'Outbound request failed: no complete answer within 1000 ms',
    });
    expect(log[0]).toMatchObject({ attempt: 2, status: 'delivered' });
  });

  it('waits as long as Retry-After asks on 429', async () => {
    const hook = await receiver();
    // 120 s × 0.001 = 120 ms, far more than the 5 ms the schedule would wait.
    hook.respond = (_request, n) => (n === 1 ? { status: 429, headers: { 'retry-after': '120' } } : { status: 200 });
    await subscribe({ url: hook.url, events: ['conversation.started'] });
    await startConversation();
    const [first, second] = await hook.waitFor(2);
    expect((second?.at ?? 0) - (first?.at ?? 0)).toBeGreaterThanOrEqual(110);
  });

  it('disables the subscription on 410 Gone and announces webhook.disabled', async () => {
    const gone = await receiver();
    const watcher = await receiver();
    gone.respond = () => ({ status: 410 });
    const { id } = await subscribe({ url: gone.url, events: ['conversation.started'] });
    await subscribe({ url: watcher.url, events: ['webhook.disabled'] });
    await startConversation();
    const [notice] = await watcher.waitFor(1);
    expect(JSON.parse(notice?.body ?? '{}')).toMatchObject({
      eventType: 'webhook.disabled',
      clientId,
      webhookId: id,
      reason: 'gone',
    });
    const shown = await t.api('GET', `/webhook/${id}`, { key });
    expect(shown.body.data).toMatchObject({ enabled: false, disabled_reason: 'gone: The receiver answered 410 Gone.' });
    expect(await eventTypesFor(t, 'webhook', id)).toEqual(['webhook.created', 'webhook.disabled']);
    await startConversation();
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(gone.received).toHaveLength(1);
    expect((await deliveries(id))[0]).toMatchObject({ status: 'failed', http_status: 410 });
  });

  it('never sends more than the per-subscription limit (32) at once', async () => {
    const hook = await receiver();
    let open = 0;
    let most = 0;
    hook.respond = () => {
      open += 1;
      most = Math.max(most, open);
      setTimeout(() => (open -= 1), 60);
      return { status: 200, delayMs: 60 };
    };
    await subscribe({ url: hook.url, events: ['user.created'] });
    for (let i = 0; i < 70; i++)
      await t.api('POST', '/operator', { key, json: { name: `Op ${i}`, email: `op${i}.limit@delivery.example` } });
    await hook.waitFor(70);
    expect(most).toBeGreaterThan(1);
    expect(most).toBeLessThanOrEqual(32);
  });
});

describe('replay', () => {
  it('sends one delivery again with the same webhook-id, and a period again from the event log', async () => {
    // A client of its own, so the period holds only this test's events.
    const own = await clientWithKey(t, 'Replay Co');
    const site = (await t.api('POST', '/website', { key: own.key, json: { url: 'https://replay.example' } })).body.data
      .id;
    const hook = await receiver();
    const id = (
      await t.api('POST', '/webhook', { key: own.key, json: { url: hook.url, events: ['conversation.started'] } })
    ).body.data.id;
    const since = new Date(Date.now() - 1_000).toISOString().slice(0, 19).replace('T', ' ');
    await t.api('POST', '/conversation', { key: own.key, json: { website_id: site } });
    await t.api('POST', '/conversation', { key: own.key, json: { website_id: site } });
    await hook.waitFor(2);
    const ownDeliveries = async () =>
      (await t.api('GET', `/webhook/${id}/delivery?full=1&limit=100`, { key: own.key })).body.data;
    const log = await until(
      ownDeliveries,
      (rows) => rows.length === 2 && rows.every((row) => row.status === 'delivered'),
    );
    const first = log[log.length - 1];
    const replayed = await t.api('POST', `/webhook/${id}/delivery/${first?.id}/replay`, { key: own.key });
    expect(replayed.status).toBe(200);
    // The worker may have claimed it already.
    expect(replayed.body.data).toMatchObject({
      attempt: 2,
      webhook_id: first?.webhook_id,
      correlation_id: first?.correlation_id,
    });
    expect(['pending', 'delivering', 'delivered']).toContain(replayed.body.data.status);
    const [, , again] = await hook.waitFor(3);
    expect(again?.headers['webhook-id']).toBe(first?.webhook_id);
    expect(again?.body).toBe(first?.request_body);

    const upTo = new Date(Date.now() + 1_000).toISOString().slice(0, 19).replace('T', ' ');
    const range = await t.api('POST', `/webhook/${id}/replay`, { key: own.key, json: { from: since, to: upTo } });
    expect(range.body).toEqual({ meta: { status: 'success' }, data: { queued: 2 } });
    const all = await hook.waitFor(5);
    expect(new Set(all.map((request) => request.headers['webhook-id'])).size).toBe(2);
    const unknown = await t.api('POST', `/webhook/${id}/delivery/999999/replay`, { key: own.key });
    expect(unknown.body.meta.message).toBe("Unknown 'delivery' with 'id' 999999.");
  });

  it('signs with both secrets while a rotation overlaps', async () => {
    const hook = await receiver();
    const { id, secret: old } = await subscribe({ url: hook.url, events: ['conversation.started'] });
    const rotated = await t.api('POST', `/webhook/${id}/rotate`, { key, json: { overlap_hours: 1 } });
    const fresh = String(rotated.body.data.secret);
    await startConversation();
    const [request] = await hook.waitFor(1);
    if (!request) throw new Error('no request');
    expect(request.headers['webhook-signature']?.split(' ')).toHaveLength(2);
    expect(new Webhook(fresh).verify(request.body, request.headers)).toBeDefined();
    expect(new Webhook(old).verify(request.body, request.headers)).toBeDefined();
    expect(request.headers['x-causerie-signature']).toBe(
      `${hmacHex(fresh, request.body)}, ${hmacHex(old, request.body)}`,
    );
  });
});
