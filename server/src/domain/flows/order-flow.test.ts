// The cash-on-delivery example of issue 18 on the flow engine: createOrder → a flow with an order trigger starts on
// the committed commerce.order.created → WhatsApp template to the order's customer → Confirm tags the Shopify order,
// Cancel cancels it → a charge. The fakes: Meta's Graph API and Shopify's Admin GraphQL.
import { FakeShopify } from '@causerie/test-support/fakes/shopify';
import { FakeWhatsApp } from '@causerie/test-support/fakes/whatsapp';
import { freePort } from '@causerie/test-support/processes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ChannelTestSetup, channelsSettled, connectFake, eventually } from '../../test/channel-app.js';
import { clientWithKey, startTestApp } from '../../test/harness.js';

const SHOP = { name: 'negozio-flussi', accessToken: 'shpat_flussi_0123456789abcdef', webhookSecret: 'flussi-secret' };
const credentials = {
  phone_number_id: '106540352242922',
  access_token: 'EAAG-test-token-0123456789',
  app_secret: 'app-secret-for-tests',
  verify_token: 'abcd1234',
};

let s: ChannelTestSetup;
let whatsapp: FakeWhatsApp;
let shopify: FakeShopify;
let channelId: number;

async function commerce(method: 'GET' | 'POST' | 'PUT', path: string, json?: unknown) {
  const response = await s.t.app.inject({
    method,
    url: `/api/commerce/v1${path}`,
    headers: { 'x-api-key': s.key, ...(json !== undefined && { 'content-type': 'application/json' }) },
    ...(json !== undefined && { payload: JSON.stringify(json) }),
  });
  return {
    status: response.statusCode,
    body: response.json<{ meta: { message?: string }; data: Record<string, unknown> }>(),
  };
}

beforeAll(async () => {
  shopify = await new FakeShopify([SHOP]).start();
  whatsapp = await new FakeWhatsApp({
    phoneNumberId: credentials.phone_number_id,
    accessToken: credentials.access_token,
    appSecret: credentials.app_secret,
  }).start();
  const port = await freePort();
  const publicUrl = `http://127.0.0.1:${port}`;
  const t = await startTestApp({ publicUrl, outboundAllowlist: '127.0.0.0/8,::1', shopifyAdminUrl: shopify.url });
  await t.app.listen({ port, host: '127.0.0.1' });
  const { clientId, key } = await clientWithKey(t, 'Negozio Flussi');
  const website = await t.api('POST', '/website', { key, json: { label: 'Negozio', url: 'https://negozio.example' } });
  s = { t, publicUrl, key, clientId, websiteId: Number(website.body.data.id), operatorId: 0 };
  channelId = await connectFake(s, whatsapp, { type: 'whatsapp', credentials });
  const store = await t.api('POST', '/commerce/shopify_store', {
    key,
    json: { store_name: SHOP.name, access_token: SHOP.accessToken, webhook_secret: SHOP.webhookSecret },
  });
  expect(store.status).toBe(200);
  expect((await t.api('PUT', '/commerce/settings', { key, json: { orders_enabled: true } })).status).toBe(200);
});

afterAll(async () => {
  await whatsapp.settle();
  await channelsSettled(s.t);
  await whatsapp.stop();
  await shopify.stop();
  await s.t.close();
});

describe('cash on delivery: an order flow', () => {
  it('confirms one order (Shopify tag) and cancels another, each with its charge', { timeout: 40_000 }, async () => {
    await commerce('PUT', '/prices', { prices: [{ kind: 'cod', unit_price: 0.1, currency: 'EUR' }] });
    const flow = await commerce('POST', '/flows', {
      code: 'cod-orders',
      name: 'Conferma contrassegno',
      trigger: { type: 'order_created' },
      definition: {
        channel_id: channelId,
        steps: [
          {
            id: 'ask',
            type: 'send_template',
            name: 'cod_confirm',
            language: 'it',
            parameters: ['{{order.external_id}}'],
          },
          { id: 'wait', type: 'wait_reply', timeout_seconds: 86_400 },
          {
            id: 'route',
            type: 'branch',
            conditions: [{ variable: 'reply_payload', operator: 'eq', value: 'CONFIRM', next: 'tag' }],
            else: 'cancel',
          },
          { id: 'tag', type: 'shopify_update', action: 'tag', tags: ['cod-confirmed'], next: 'bill' },
          { id: 'cancel', type: 'shopify_update', action: 'cancel', reason: 'customer' },
          { id: 'bill', type: 'charge', kind: 'cod' },
        ],
      },
    });
    expect(flow.status).toBe(200);

    const customers = [
      { phone: '+393331110001', shopifyId: 5001, answer: { payload: 'CONFIRM', text: 'Conferma' } },
      { phone: '+393331110002', shopifyId: 5002, answer: { payload: 'CANCEL', text: 'Annulla' } },
    ];
    for (const customer of customers) {
      shopify.addOrder(SHOP.name, customer.shopifyId);
      const order = await commerce('POST', '/createOrder', {
        external_id: String(customer.shopifyId),
        store: SHOP.name,
        customer: { name: 'Cliente', phone: customer.phone },
        items: [{ name: 'Borsa', quantity: 1, unit_price: 39 }],
        totals: { total: 39 },
        currency: 'EUR',
        payment_method: 'cash_on_delivery',
      });
      expect(order.status).toBe(200);
    }
    for (const customer of customers) {
      const sent = await eventually(async () =>
        whatsapp.accepted.find((message) => message.to === customer.phone.slice(1) && message.type === 'template'),
      );
      expect(JSON.stringify(sent.body)).toContain(String(customer.shopifyId));
      await whatsapp.customerSends(customer.phone, { type: 'button', button: customer.answer });
    }
    await eventually(async () => {
      const runs = await s.t.store.db.selectFrom('flow_run').select('state').execute();
      return runs.length === 2 && runs.every((run) => run.state === 'done') ? true : undefined;
    }, 20_000);
    expect(shopify.order(SHOP.name, 5001)).toMatchObject({ tags: ['cod-confirmed'], cancelled: false });
    expect(shopify.order(SHOP.name, 5002)).toMatchObject({ tags: [], cancelled: true });
    // Each change Shopify accepted is remembered under its step's key (a retried step sends it again never).
    const calls = await s.t.store.db
      .selectFrom('flow_run_step')
      .select(['run_id', 'ordinal'])
      .where('type', '=', 'shopify_update')
      .execute();
    const stepKeys = new Set(calls.map((step) => `run:${step.run_id}:step:${step.ordinal}`));
    const actions = await s.t.store.db
      .selectFrom('shopify_order_action')
      .select(['order_id', 'action', 'idempotency_key'])
      .orderBy('order_id')
      .execute();
    const remembered = actions.map((row) => ({
      order_id: row.order_id,
      action: row.action,
      keyOfAStep: stepKeys.has(row.idempotency_key),
    }));
    expect(remembered).toEqual([
      { order_id: '5001', action: 'tag', keyOfAStep: true },
      { order_id: '5002', action: 'cancel', keyOfAStep: true },
    ]);

    const first = await commerce('GET', '/getFlowByUserKey?user_key=%2B393331110001');
    const [run] = first.body.data as unknown as Array<{
      order_id: number;
      steps: Array<{ id: string; output: unknown }>;
    }>;
    expect(run?.order_id).toBeGreaterThan(0);
    expect(run?.steps.map((step) => step.id)).toEqual(['ask', 'wait', 'route', 'tag', 'bill']);
    const charges = await commerce('GET', '/getChargesByUserKey?user_key=%2B393331110002');
    expect(charges.body.data.totals).toEqual([{ currency: 'EUR', amount: 0.1, count: 1 }]);
  });

  it('takes a reply that came before the run reached its wait_reply, and only once', { timeout: 30_000 }, async () => {
    const flow = await commerce('POST', '/flows', {
      code: 'early-reply',
      name: 'Risposta anticipata',
      definition: {
        channel_id: channelId,
        steps: [
          // A template: no free text reaches a customer who has not written in the last 24 hours.
          { id: 'ask', type: 'send_template', name: 'pickup_confirm', language: 'it' },
          // The customer answers while the run is still in this pause, before it waits for a reply.
          { id: 'pause', type: 'wait', seconds: 2 },
          { id: 'first', type: 'wait_reply', save_as: 'first', timeout_seconds: 4, timeout_next: 'lost' },
          { id: 'second', type: 'wait_reply', save_as: 'second', timeout_seconds: 2, timeout_next: 'no_second' },
          { id: 'answered_twice', type: 'end' },
          { id: 'lost', type: 'end', state: 'failed' },
          { id: 'no_second', type: 'set_variable', name: 'second', value: 'none' },
        ],
      },
    });
    expect(flow.status).toBe(200);
    const phone = '+393331110003';
    const created = await commerce('POST', '/createRequest', { flow: 'early-reply', user_key: phone, data: { phone } });
    expect(created.status).toBe(200);
    await eventually(async () => whatsapp.accepted.find((message) => message.to === phone.slice(1)));
    await whatsapp.customerSends(phone, { type: 'text', text: { body: 'Sì' } });
    const run = await eventually(async () => {
      const row = await s.t.store.db
        .selectFrom('flow_run')
        .select(['state', 'variables', 'error'])
        .where('id', '=', Number(created.body.data.run_id))
        .executeTakeFirstOrThrow();
      return row.state === 'done' || row.state === 'failed' ? row : undefined;
    }, 20_000);
    // The early reply answered the first wait; the second wait had nothing new and timed out.
    expect(run.state).toBe('done');
    expect(JSON.parse(run.variables)).toMatchObject({ first: 'Sì', first_payload: 'Sì', second: 'none' });
  });

  it('bills a template by its category when the price list names it, else as a template', {
    timeout: 20_000,
  }, async () => {
    const prices = await commerce('PUT', '/prices', {
      prices: [
        { kind: 'cod', unit_price: 0.1, currency: 'EUR' },
        { kind: 'whatsapp.template', unit_price: 0.05, currency: 'EUR' },
        { kind: 'whatsapp.template.utility', unit_price: 0.03, currency: 'EUR' },
      ],
    });
    expect(prices.status).toBe(200);
    const flow = await commerce('POST', '/flows', {
      code: 'categories',
      name: 'Categorie',
      definition: {
        channel_id: channelId,
        steps: [
          { id: 'utility', type: 'send_template', name: 'order_update', language: 'it', category: 'utility' },
          { id: 'marketing', type: 'send_template', name: 'promo', language: 'it', category: 'marketing' },
        ],
      },
    });
    expect(flow.status).toBe(200);
    const phone = '+393331110004';
    expect(
      (await commerce('POST', '/createRequest', { flow: 'categories', user_key: phone, data: { phone } })).status,
    ).toBe(200);
    const charges = await eventually(async () => {
      const answer = await commerce('GET', `/getChargesByUserKey?user_key=${encodeURIComponent(phone)}`);
      const list = answer.body.data.charges as Array<{ kind: string; amount: number }>;
      return list.length === 2 ? list : undefined;
    });
    // No price for marketing templates: that one is billed as a template.
    expect(charges.map((charge) => [charge.kind, charge.amount])).toEqual([
      ['whatsapp.template.utility', 0.03],
      ['whatsapp.template', 0.05],
    ]);
    // A second run in the same conversation: each run shows its own messages, not the other's.
    expect(
      (await commerce('POST', '/createRequest', { flow: 'categories', user_key: phone, data: { phone } })).status,
    ).toBe(200);
    const runs = await eventually(async () => {
      const answer = await commerce('GET', `/getFlowByUserKey?user_key=${encodeURIComponent(phone)}`);
      const list = answer.body.data as unknown as Array<{ state: string; messages: Array<{ text: string }> }>;
      return list.length === 2 && list.every((run) => run.state === 'done') ? list : undefined;
    });
    expect(runs.map((run) => run.messages.length)).toEqual([2, 2]);
    const refused = await commerce('POST', '/flows', {
      code: 'bad-category',
      name: 'Bad',
      definition: { steps: [{ id: 'x', type: 'send_template', name: 'x', language: 'it', category: 'spam' }] },
    });
    expect(refused.status).toBe(400);
    expect(refused.body.meta.message).toContain('/steps/0');
  });
});
