// Seed 001 end to end: createRequest → the flow reads the merchant's object (signed getObject) → a WhatsApp template
// through the fake Graph server → the customer's button reply through the real inbound webhook → updateObject →
// charges; getRequest, getFlowByUserKey and getChargesByUserKey show it all. Plus validation, keys and isolation.
import { createHmac } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { FakeWhatsApp } from '@causerie/test-support/fakes/whatsapp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ChannelTestSetup,
  closeChannelTest,
  connectFake,
  eventually,
  startChannelApp,
} from '../../test/channel-app.js';
import { clientWithKey } from '../../test/harness.js';

const CUSTOMER = '+393331234567';
const credentials = {
  phone_number_id: '106540352242922',
  access_token: 'EAAG-test-token-0123456789',
  app_secret: 'app-secret-for-tests',
  verify_token: 'abcd1234',
};
const ROME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}$/;

interface MerchantCall {
  path: string;
  body: Record<string, unknown>;
  signatureValid: boolean;
  idempotencyKey: string | undefined;
  auth: string | undefined;
}

let s: ChannelTestSetup;
let fake: FakeWhatsApp;
let channelId: number;
let merchant: http.Server;
let merchantUrl: string;
let signingSecret = '';
const merchantCalls: MerchantCall[] = [];

/** A JSON answer read loosely: any field, any index (what the assertions look at). */
type Json = { [key: string]: Json } & Json[];

interface Answer {
  status: number;
  body: { meta: { status: string; message?: string; field?: string }; data: Json; pagination?: Json };
}

async function call(
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
  path: string,
  key: string,
  json?: unknown,
): Promise<Answer> {
  const separator = path.includes('?') ? '&' : '?';
  const response = await s.t.app.inject({
    method,
    url: `/api/commerce/v1${path}${separator}api_key=${encodeURIComponent(key)}`,
    ...(json !== undefined && { payload: JSON.stringify(json), headers: { 'content-type': 'application/json' } }),
  });
  return { status: response.statusCode, body: response.json() };
}

const definition = (channel: number) => ({
  channel_id: channel,
  steps: [
    { id: 'lookup', type: 'get_object', object_type: 'order', keys: { order_number: '{{order_number}}' } },
    {
      id: 'ask',
      type: 'send_template',
      to: '{{object.phone}}',
      name: 'cod_confirm',
      language: 'it',
      parameters: ['{{object.name}}', '{{object.total}}'],
    },
    { id: 'wait', type: 'wait_reply', save_as: 'answer', timeout_seconds: 3600 },
    {
      id: 'route',
      type: 'branch',
      conditions: [{ variable: 'answer_payload', operator: 'eq', value: 'CONFIRM', next: 'confirmed' }],
      else: 'cancelled',
    },
    { id: 'confirmed', type: 'update_object', object_type: 'order', variables: { status: 'confirmed' }, next: 'bill' },
    { id: 'cancelled', type: 'update_object', object_type: 'order', variables: { status: 'cancelled' } },
    { id: 'bill', type: 'charge', kind: 'cod_confirmation' },
  ],
});

beforeAll(async () => {
  s = await startChannelApp();
  fake = await new FakeWhatsApp({
    phoneNumberId: credentials.phone_number_id,
    accessToken: credentials.access_token,
    appSecret: credentials.app_secret,
  }).start();
  channelId = await connectFake(s, fake, { type: 'whatsapp', credentials });
  merchant = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const expected = `sha256=${createHmac('sha256', signingSecret).update(raw).digest('hex')}`;
      const signatureValid = request.headers['x-causerie-signature'] === expected;
      const body = JSON.parse(raw) as Record<string, unknown>;
      merchantCalls.push({
        path: request.url ?? '',
        body,
        signatureValid,
        idempotencyKey: request.headers['idempotency-key'] as string | undefined,
        auth: request.headers['x-shop-token'] as string | undefined,
      });
      if (!signatureValid) {
        response.writeHead(401).end('{"error":"bad signature"}');
        return;
      }
      response.writeHead(200, { 'content-type': 'application/json' });
      if (request.url === '/getObject')
        response.end(JSON.stringify({ id: 'ORD-1', name: 'Mario Rossi', phone: CUSTOMER, total: '49.90 €' }));
      else response.end(JSON.stringify({ ok: true }));
    });
  });
  await new Promise<void>((resolve) => merchant.listen(0, '127.0.0.1', resolve));
  merchantUrl = `http://127.0.0.1:${(merchant.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => merchant.close(resolve));
  await closeChannelTest(s, fake);
});

describe('a seed-001 request from creation to charge', () => {
  it('reads the merchant object, messages the customer, takes the reply, updates the merchant, charges', {
    timeout: 30_000,
  }, async () => {
    const settings = await call('PUT', '/merchant', s.key, {
      get_object_url: `${merchantUrl}/getObject`,
      update_object_url: `${merchantUrl}/updateObject`,
      auth_header_name: 'X-Shop-Token',
      auth_header_value: 'shop-secret-token',
    });
    expect(settings.status).toBe(200);
    signingSecret = String(settings.body.data.signing_secret);
    expect(signingSecret).toMatch(/^whsec_/);
    // Secrets are never read back.
    const readBack = await call('GET', '/merchant', s.key);
    expect(readBack.body.data.signing_secret).toBeUndefined();
    expect(readBack.body.data.auth_header_set).toBe(true);
    expect(JSON.stringify(readBack.body)).not.toContain('shop-secret-token');

    const prices = await call('PUT', '/prices', s.key, {
      prices: [
        { kind: 'cod_confirmation', unit_price: 0.25, currency: 'EUR' },
        { kind: 'whatsapp.template', unit_price: 0.05, currency: 'EUR' },
      ],
    });
    expect(prices.status).toBe(200);

    const flow = await call('POST', '/flows', s.key, {
      code: 'cod',
      name: 'Cash on delivery',
      definition: definition(channelId),
    });
    expect(flow.status).toBe(200);
    expect(flow.body.data.current_version).toBe(1);

    const created = await call('POST', '/createRequest', s.key, {
      flow: 'cod',
      user_key: 'cust-42',
      reference: 'ORD-1',
      data: { order_number: 'ORD-1' },
    });
    expect(created.status).toBe(200);
    const requestId = Number(created.body.data.request_id);
    expect(created.body.data.state).toBe('open');
    expect(created.body.data.created_at).toMatch(ROME);

    // The template leaves through the channel's outbound path to the (fake) Cloud API.
    const sent = await eventually(async () => fake.accepted.find((message) => message.to === CUSTOMER.slice(1)));
    expect(sent?.type).toBe('template');
    expect(JSON.stringify(sent?.body)).toContain('Mario Rossi');
    const getObject = merchantCalls.find((entry) => entry.path === '/getObject');
    expect(getObject).toMatchObject({
      signatureValid: true,
      auth: 'shop-secret-token',
      body: { object_type: 'order', keys: { order_number: 'ORD-1' } },
    });
    expect(getObject?.idempotencyKey).toMatch(/^run:\d+:step:1$/);

    // The customer taps "Conferma": a signed webhook to the channel, processed like any inbound message.
    const reply = await fake.customerSends(CUSTOMER, {
      type: 'button',
      button: { payload: 'CONFIRM', text: 'Conferma' },
    });
    expect(reply.status).toBe(200);

    const finished = await eventually(async () => {
      const answer = await call('GET', `/getRequest?request_id=${requestId}`, s.key);
      return String(answer.body.data.state) === 'done' ? answer : undefined;
    }, 15_000);
    const run = finished?.body.data.runs[0];
    expect(run.state).toBe('done');
    expect(run.steps.map((step) => `${String(step.id)}:${String(step.state)}`)).toEqual([
      'lookup:done',
      'ask:done',
      'wait:done',
      'route:done',
      'confirmed:done',
      'bill:done',
    ]);
    expect(run.variables.answer).toBe('Conferma');
    expect(run.object).toMatchObject({ id: 'ORD-1', name: 'Mario Rossi' });
    const update = merchantCalls.find((entry) => entry.path === '/updateObject');
    expect(update).toMatchObject({
      signatureValid: true,
      body: { object_type: 'order', id: 'ORD-1', variables: { status: 'confirmed' } },
    });
    expect(update?.idempotencyKey).toMatch(/^run:\d+:step:5$/);

    const flows = await call('GET', '/getFlowByUserKey?user_key=cust-42', s.key);
    expect(flows.status).toBe(200);
    expect(flows.body.data).toHaveLength(1);
    const [shown] = flows.body.data;
    expect(shown.started_at).toMatch(ROME);
    expect(shown.ended_at).toMatch(ROME);
    expect(shown.messages.map((message) => String(message.direction))).toEqual(['outbound', 'inbound']);
    expect(shown.messages[1].text).toBe('Conferma');

    const charges = await call('GET', '/getChargesByUserKey?user_key=cust-42', s.key);
    expect(charges.body.data.charges.map((charge) => [String(charge.kind), Number(charge.amount)])).toEqual([
      ['whatsapp.template', 0.05],
      ['cod_confirmation', 0.25],
    ]);
    expect(charges.body.data.totals).toEqual([{ currency: 'EUR', amount: 0.3, count: 2 }]);
    expect(charges.body.data.charges[0].at).toMatch(ROME);

    const listed = await call('GET', '/getRequests?flow=cod&state=done&from=2020-01-01', s.key);
    expect(listed.body.data.map((item) => Number(item.request_id))).toEqual([requestId]);
    expect(listed.body.pagination).toMatchObject({ count: 1, page: 1 });
  });
});

describe('a keyword flow with timers', () => {
  it('starts on the keyword, waits, times out waiting for a reply and hands over to the operators', {
    timeout: 30_000,
  }, async () => {
    const flow = await call('POST', '/flows', s.key, {
      code: 'info',
      name: 'Info',
      trigger: { type: 'keyword', keywords: ['INFO'] },
      definition: {
        channel_id: channelId,
        steps: [
          { id: 'hello', type: 'send_message', text: 'Ciao! Hai scritto: {{message}}' },
          { id: 'pause', type: 'wait', seconds: 1 },
          { id: 'ask', type: 'wait_reply', timeout_seconds: 1, timeout_next: 'human' },
          { id: 'thanks', type: 'end' },
          { id: 'human', type: 'handover', note: 'Nessuna risposta dal cliente' },
        ],
      },
    });
    expect(flow.status).toBe(200);
    const phone = '+393339990000';
    expect((await fake.customerSends(phone, { type: 'text', text: { body: 'info' } })).status).toBe(200);
    const sent = await eventually(async () => fake.accepted.find((message) => message.to === phone.slice(1)));
    expect(JSON.stringify(sent.body)).toContain('Ciao! Hai scritto: info');
    const run = await eventually(async () => {
      const answer = await call('GET', `/getFlowByUserKey?user_key=${encodeURIComponent(phone)}`, s.key);
      const [first] = answer.body.data;
      return first !== undefined && String(first.state) === 'done' ? first : undefined;
    }, 15_000);
    expect(run.steps.map((step) => `${String(step.id)}:${String(step.state)}`)).toEqual([
      'hello:done',
      'pause:done',
      'ask:done',
      'human:done',
    ]);
    expect(run.steps[2].output).toEqual({ timeout: true });
    // The timers waited: the reply's timeout ended a second or more after the pause's.
    expect(Number(run.steps[2].duration_ms)).toBeGreaterThanOrEqual(1_000);
    // The wait step's timer: the next step started once it ran out (times are shown to the second).
    expect(Date.parse(String(run.steps[2].started_at))).toBeGreaterThanOrEqual(
      Date.parse(String(run.steps[1].output.until)) - 1_000,
    );
    const conversationId = Number(run.steps[3].output.conversation_id);
    const conversation = await s.t.store.db
      .selectFrom('conversation')
      .select(['status', 'waitinglist'])
      .where('id', '=', conversationId)
      .executeTakeFirstOrThrow();
    expect(conversation).toEqual({ status: 'waiting', waitinglist: 1 });
    const note = await s.t.store.db
      .selectFrom('conversation_message')
      .select('body')
      .where('conversation_id', '=', conversationId)
      .where('body', '=', 'Nessuna risposta dal cliente')
      .executeTakeFirst();
    expect(note).toBeDefined();
  });
});

describe('errors name the field', () => {
  it('answers 401 to a missing or unknown api_key', async () => {
    const missing = await s.t.app.inject({ method: 'GET', url: '/api/commerce/v1/getRequests' });
    expect(missing.statusCode).toBe(401);
    expect(missing.json().meta.field).toBe('api_key');
    const unknown = await call('GET', '/getRequests', 'csk_0000000000000000_abcdefghijklmnopqrstuvwxyz012345');
    expect(unknown.status).toBe(401);
    // X-API-Key works as well as api_key.
    const header = await s.t.app.inject({
      method: 'GET',
      url: '/api/commerce/v1/getRequests',
      headers: { 'x-api-key': s.key },
    });
    expect(header.statusCode).toBe(200);
  });

  it('refuses a request without user_key, for an unknown flow, and a definition naming a missing step', async () => {
    const noUser = await call('POST', '/createRequest', s.key, { flow: 'cod' });
    expect(noUser.status).toBe(400);
    expect(noUser.body.meta.field).toBe('user_key');
    const noFlow = await call('POST', '/createRequest', s.key, { flow: 'nope', user_key: 'x' });
    expect(noFlow.status).toBe(400);
    expect(noFlow.body.meta.field).toBe('flow');
    const bad = definition(channelId);
    (bad.steps[2] as Record<string, unknown>).timeout_next = 'nowhere';
    const invalid = await call('POST', '/flows', s.key, { code: 'broken', name: 'Broken', definition: bad });
    expect(invalid.status).toBe(400);
    expect(invalid.body.meta.field).toBe('definition/steps/2/timeout_next');
    expect(invalid.body.meta.message).toContain("'nowhere' is not the id of a step");
    const wrongType = await call('POST', '/flows', s.key, {
      code: 'broken2',
      name: 'Broken',
      definition: { steps: [{ id: 'a', type: 'send_message', text: '' }] },
    });
    expect(wrongType.body.meta.field).toBe('definition/steps/0/text');
    const badDate = await call('GET', '/getRequests?from=yesterday', s.key);
    expect(badDate.status).toBe(400);
    expect(badDate.body.meta.field).toBe('from');
  });

  it('answers 403 to createOrder when the account takes no orders', async () => {
    const order = await call('POST', '/createOrder', s.key, { external_id: 'A1' });
    expect(order.status).toBe(403);
    expect(order.body.meta.message).toContain('not configured for orders');
  });

  it("answers 404 for another client's request, and cancels its own with DELETE", async () => {
    const created = await call('POST', '/createRequest', s.key, {
      flow: 'cod',
      user_key: 'cust-43',
      data: { order_number: 'X' },
    });
    const requestId = Number(created.body.data.request_id);
    const other = await clientWithKey(s.t, 'Other shop');
    const foreign = await call('GET', `/getRequest?request_id=${requestId}`, other.key);
    expect(foreign.status).toBe(404);
    expect(foreign.body.meta.field).toBe('request_id');
    expect((await call('DELETE', `/deleteRequest?request_id=${requestId}`, other.key)).status).toBe(404);
    expect((await call('GET', '/getFlowByUserKey?user_key=cust-43', other.key)).body.data).toEqual([]);
    // A change of variables reaches the run under way; another client's key changes nothing.
    expect(
      (await call('PATCH', `/updateRequest?request_id=${requestId}`, other.key, { data: { gift: true } })).status,
    ).toBe(404);
    const patched = await call('PATCH', `/updateRequest?request_id=${requestId}`, s.key, { data: { gift: true } });
    expect(patched.status).toBe(200);
    expect(patched.body.data.data).toEqual({ order_number: 'X', gift: true });
    const withRun = await call('GET', `/getRequest?request_id=${requestId}`, s.key);
    expect(withRun.body.data.runs[0].variables.gift).toBe(true);
    const cancelled = await call('DELETE', `/deleteRequest?request_id=${requestId}`, s.key);
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.data.state).toBe('cancelled');
    const runs = await call('GET', '/getFlowByUserKey?user_key=cust-43', s.key);
    expect(runs.body.data[0].state).toBe('cancelled');
  });
});

describe('the OpenAPI document', () => {
  it('lists the commerce routes under the commerce tag', async () => {
    const document = (await s.t.app.inject({ method: 'GET', url: '/openapi.json' })).json<{
      paths: Record<string, Record<string, { tags?: string[] }>>;
    }>();
    for (const [path, method] of [
      ['/api/commerce/v1/createRequest', 'post'],
      ['/api/commerce/v1/getRequest', 'get'],
      ['/api/commerce/v1/getFlowByUserKey', 'get'],
      ['/api/commerce/v1/getChargesByUserKey', 'get'],
      ['/api/commerce/v1/createOrder', 'post'],
      ['/api/commerce/v1/flows/{flow_id}/versions', 'post'],
    ] as const)
      expect(document.paths[path]?.[method]?.tags).toEqual(['commerce']);
  });
});
