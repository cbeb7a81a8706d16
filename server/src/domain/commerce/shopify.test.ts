// Shopify (issue 18): the order-creation webhook as a Shopify store posts it (HMAC on the raw body before anything,
// delivery ids taken once, tenant isolation, Shopify's order JSON mapped), and order changes through the Admin GraphQL
// API against the fake Shopify (tag, note, cancel, unknown order, throttling, a wrong token).
import { FakeShopify, shopifyWebhookHmac } from '@causerie/test-support/fakes/shopify';
import { freePort } from '@causerie/test-support/processes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientWithKey, partnerWithKey, startTestApp, type TestApp } from '../../test/harness.js';
import { applyShopifyOrderAction, ShopifyAdminError } from './shopify-admin.js';

const SHOP = {
  name: 'negozio-test',
  accessToken: 'shpat_negozio_0123456789abcdef',
  webhookSecret: 'negozio-hook-secret',
};
const OTHER_SHOP = {
  name: 'altro-negozio',
  accessToken: 'shpat_altro_0123456789abcdef',
  webhookSecret: 'altro-secret',
};

let t: TestApp;
let fake: FakeShopify;
let publicUrl: string;
let key: string;
let clientId: number;
let otherKey: string;
let otherClientId: number;

async function connectStore(apiKey: string, shop: typeof SHOP): Promise<void> {
  const answer = await t.api('POST', '/commerce/shopify_store', {
    key: apiKey,
    json: { store_name: shop.name, access_token: shop.accessToken, webhook_secret: shop.webhookSecret },
  });
  if (answer.status !== 200) throw new Error(`store: ${JSON.stringify(answer.body)}`);
}

beforeAll(async () => {
  fake = await new FakeShopify([SHOP, OTHER_SHOP]).start();
  const port = await freePort();
  publicUrl = `http://127.0.0.1:${port}`;
  t = await startTestApp({ publicUrl, shopifyAdminUrl: fake.url });
  await t.app.listen({ port, host: '127.0.0.1' });
  ({ key, clientId } = await clientWithKey(t, 'Negozio Srl'));
  ({ key: otherKey, clientId: otherClientId } = await clientWithKey(t, 'Altro Srl'));
  await connectStore(key, SHOP);
  await connectStore(otherKey, OTHER_SHOP);
  for (const apiKey of [key, otherKey])
    await t.api('PUT', '/commerce/settings', { key: apiKey, json: { orders_enabled: true } });
});
afterAll(async () => {
  await fake.stop();
  await t.close();
});

const hookUrl = (apiKey: string, idStore: string, action = 'creation') =>
  `${publicUrl}/api/commerce/webhook/shopify/?api_key=${encodeURIComponent(apiKey)}&action=${action}&id_store=${idStore}`;

const ordersOf = (client: number, externalId: string) =>
  t.store.db
    .selectFrom('commerce_order')
    .selectAll()
    .where('client_id', '=', client)
    .where('external_id', '=', externalId)
    .execute();

const orderEvents = async (orderIds: number[]) =>
  orderIds.length === 0
    ? []
    : t.store.db
        .selectFrom('event')
        .select(['payload'])
        .where('type', '=', 'commerce.order.created')
        .where('subject_id', 'in', orderIds)
        .execute();

describe('the order-creation webhook', () => {
  it('refuses a body whose X-Shopify-Hmac-Sha256 does not match: 401, nothing stored', async () => {
    const order = fake.orderPayload(SHOP.name, 5001);
    const forged = await fake.postOrderCreated(hookUrl(key, SHOP.name), SHOP.name, order, { secret: 'not-the-secret' });
    expect(forged.status).toBe(401);
    // Signed with the other store's secret, or missing.
    const wrongStore = await fake.postOrderCreated(hookUrl(key, SHOP.name), SHOP.name, order, {
      secret: OTHER_SHOP.webhookSecret,
    });
    expect(wrongStore.status).toBe(401);
    const unsigned = await fetch(hookUrl(key, SHOP.name), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(order),
    });
    expect(unsigned.status).toBe(401);
    // A body changed after signing (the total raised) does not match its signature.
    const signed = JSON.stringify(order);
    const tampered = await fetch(hookUrl(key, SHOP.name), {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-shopify-hmac-sha256': shopifyWebhookHmac(SHOP.webhookSecret, signed),
      },
      body: signed.replace('"54.90"', '"0.01"'),
    });
    expect(tampered.status).toBe(401);
    expect(await ordersOf(clientId, '5001')).toEqual([]);
    const seen = await t.store.db.selectFrom('shopify_webhook_seen').select('webhook_id').execute();
    expect(seen.map((row) => row.webhook_id)).not.toContain(forged.webhookId);
  });

  it("stores Shopify's order as an order of the store, and commits commerce.order.created", async () => {
    const posted = await fake.postOrderCreated(hookUrl(key, SHOP.name), SHOP.name, fake.orderPayload(SHOP.name, 5002));
    expect(posted.status).toBe(200);
    const [row, ...more] = await ordersOf(clientId, '5002');
    expect(more).toEqual([]);
    expect(row).toMatchObject({
      store: SHOP.name,
      name: '#1002',
      user_key: '+393331234567',
      total: 54.9,
      subtotal: 49.9,
      shipping: 5,
      tax: 9,
      currency: 'EUR',
      payment_method: 'cash_on_delivery',
      financial_status: 'pending',
      source: 'shopify',
    });
    expect(JSON.parse(row?.customer ?? '')).toEqual({
      name: 'Giulia Rossi',
      phone: '+393331234567',
      email: 'giulia.rossi@example.com',
    });
    expect(JSON.parse(row?.items ?? '')).toEqual([
      { sku: 'MAGLIA-M', name: 'Maglia in cotone - M', quantity: 2, unit_price: 19.95 },
      { name: 'Calzini', quantity: 1, unit_price: 10 },
    ]);
    expect(JSON.parse(row?.shipping_address ?? '')).toMatchObject({ city: 'Milano', zip: '20121', country: 'Italy' });
    const events = await orderEvents([row?.id ?? 0]);
    expect(events.map((event) => JSON.parse(event.payload))).toEqual([
      { clientId, orderId: row?.id, userKey: '+393331234567', source: 'shopify', store: SHOP.name },
    ]);
  });

  it('takes a delivery id once: a repeat answers 200 and creates nothing; the same order under another id neither', async () => {
    const order = fake.orderPayload(SHOP.name, 5003);
    const first = await fake.postOrderCreated(hookUrl(key, SHOP.name), SHOP.name, order);
    const repeat = await fake.postOrderCreated(hookUrl(key, SHOP.name), SHOP.name, order, {
      webhookId: first.webhookId,
    });
    const resent = await fake.postOrderCreated(hookUrl(key, SHOP.name), SHOP.name, order);
    expect([first.status, repeat.status, resent.status]).toEqual([200, 200, 200]);
    const rows = await ordersOf(clientId, '5003');
    expect(rows).toHaveLength(1);
    expect(await orderEvents(rows.map((row) => row.id))).toHaveLength(1);
    // Repeats arriving together (Shopify retrying while the first is in flight) also make one order.
    const together = fake.orderPayload(SHOP.name, 5004);
    const answers = await Promise.all(
      [1, 2, 3, 4].map(() =>
        fake.postOrderCreated(hookUrl(key, SHOP.name), SHOP.name, together, { webhookId: 'same-delivery-5004' }),
      ),
    );
    expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200, 200]);
    expect(await ordersOf(clientId, '5004')).toHaveLength(1);
  });

  it("keeps tenants apart: another client's key or store id finds no store, an unknown or partner key is 401", async () => {
    const order = fake.orderPayload(SHOP.name, 5005);
    // The other client's key with this client's store (correctly signed): that client has no such store.
    const otherKeyHere = await fake.postOrderCreated(hookUrl(otherKey, SHOP.name), SHOP.name, order);
    expect(otherKeyHere.status).toBe(404);
    // This client's key with the other client's store, signed with that store's secret.
    const otherStore = await fake.postOrderCreated(hookUrl(key, OTHER_SHOP.name), OTHER_SHOP.name, order);
    expect(otherStore.status).toBe(404);
    const unknown = await fake.postOrderCreated(hookUrl('ck_0_nope', SHOP.name), SHOP.name, order);
    expect(unknown.status).toBe(401);
    const { key: partnerKey } = await partnerWithKey(t, 'Rivenditore');
    const partner = await fake.postOrderCreated(hookUrl(partnerKey, SHOP.name), SHOP.name, order);
    expect(partner.status).toBe(401);
    expect(await ordersOf(clientId, '5005')).toEqual([]);
    expect(await ordersOf(otherClientId, '5005')).toEqual([]);
  });

  it('answers 4xx naming what is wrong: the action, a field of the order, a body that is not JSON, orders off', async () => {
    const wrongAction = await fake.postOrderCreated(
      hookUrl(key, SHOP.name, 'update'),
      SHOP.name,
      fake.orderPayload(SHOP.name, 5006),
    );
    expect(wrongAction.status).toBe(400);
    const noCurrency = await fetch(hookUrl(key, SHOP.name), {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-shopify-hmac-sha256': shopifyWebhookHmac(
          SHOP.webhookSecret,
          JSON.stringify(fake.orderPayload(SHOP.name, 5007, { currency: null })),
        ),
      },
      body: JSON.stringify(fake.orderPayload(SHOP.name, 5007, { currency: null })),
    });
    expect(noCurrency.status).toBe(400);
    expect(await noCurrency.json()).toMatchObject({
      meta: { field: 'currency', message: "Field 'currency' is missing." },
    });
    const notJson = 'order=5008';
    const notJsonAnswer = await fetch(hookUrl(key, SHOP.name), {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-shopify-hmac-sha256': shopifyWebhookHmac(SHOP.webhookSecret, notJson),
      },
      body: notJson,
    });
    expect(notJsonAnswer.status).toBe(400);
    await t.api('PUT', '/commerce/settings', { key: otherKey, json: { orders_enabled: false } });
    const off = await fake.postOrderCreated(
      hookUrl(otherKey, OTHER_SHOP.name),
      OTHER_SHOP.name,
      fake.orderPayload(OTHER_SHOP.name, 5009),
    );
    expect(off.status).toBe(403);
    await t.api('PUT', '/commerce/settings', { key: otherKey, json: { orders_enabled: true } });
    for (const id of ['5006', '5007', '5008']) expect(await ordersOf(clientId, id)).toEqual([]);
    expect(await ordersOf(otherClientId, '5009')).toEqual([]);
  });
});

describe('order changes through the Admin GraphQL API', () => {
  /** The ShopifyAdminError a call throws. */
  async function failure(call: Promise<unknown>): Promise<ShopifyAdminError> {
    const error = await call.then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    expect(error).toBeInstanceOf(ShopifyAdminError);
    return error as ShopifyAdminError;
  }

  it('tags the order, sets its note and cancels it, with the store token', async () => {
    fake.addOrder(SHOP.name, 6001);
    await applyShopifyOrderAction(
      t.context,
      clientId,
      SHOP.name,
      '6001',
      { action: 'tag', tags: ['COD confermato'] },
      'run:1:step:0',
    );
    await applyShopifyOrderAction(
      t.context,
      clientId,
      SHOP.name,
      'gid://shopify/Order/6001',
      { action: 'note', note: 'Confermato via WhatsApp' },
      'run:1:step:1',
    );
    await applyShopifyOrderAction(
      t.context,
      clientId,
      SHOP.name,
      '6001',
      { action: 'cancel', reason: 'customer' },
      'run:1:step:2',
    );
    expect(fake.order(SHOP.name, 6001)).toMatchObject({
      tags: ['COD confermato'],
      note: 'Confermato via WhatsApp',
      cancelled: true,
      cancelReason: 'CUSTOMER',
    });
    const calls = fake.calls.filter((call) => JSON.stringify(call.variables).includes('Order/6001'));
    expect(calls.map((call) => [call.shop, call.mutation])).toEqual([
      [SHOP.name, 'tagsAdd'],
      [SHOP.name, 'orderUpdate'],
      [SHOP.name, 'orderCancel'],
    ]);
    expect(calls[2]?.variables).toMatchObject({ orderId: 'gid://shopify/Order/6001', refund: false, restock: true });
  });

  it('does a change once per idempotency key; a reason Shopify does not know is sent as OTHER with a staff note', async () => {
    fake.addOrder(SHOP.name, 6002);
    const before = fake.calls.length;
    for (let attempt = 0; attempt < 3; attempt += 1)
      await applyShopifyOrderAction(
        t.context,
        clientId,
        SHOP.name,
        '6002',
        { action: 'cancel', reason: 'Il cliente ha rifiutato' },
        'run:2:step:4',
      );
    expect(fake.calls.length - before).toBe(1);
    expect(fake.order(SHOP.name, 6002)).toMatchObject({ cancelReason: 'OTHER', staffNote: 'Il cliente ha rifiutato' });
  });

  it('an unknown order fails with its userErrors, not retryable; so does cancelling a cancelled order', async () => {
    const unknown = await failure(
      applyShopifyOrderAction(t.context, clientId, SHOP.name, '999999', { action: 'tag', tags: ['x'] }, 'k-unknown'),
    );
    expect(unknown.retryable).toBe(false);
    expect(unknown.details.userErrors).toEqual([{ field: ['id'], message: 'Order does not exist' }]);
    const cancelUnknown = await failure(
      applyShopifyOrderAction(t.context, clientId, SHOP.name, '999999', { action: 'cancel', reason: 'staff' }, 'k-cu'),
    );
    expect(cancelUnknown.details.userErrors).toEqual([
      { field: ['orderId'], message: 'Order does not exist', code: 'NOT_FOUND' },
    ]);
    const twice = await failure(
      applyShopifyOrderAction(t.context, clientId, SHOP.name, '6001', { action: 'cancel', reason: 'staff' }, 'k-twice'),
    );
    expect(twice.retryable).toBe(false);
    expect(twice.message).toMatch(/cancelled order/);
    // Not recorded as done: another attempt under the key asks Shopify again.
    const before = fake.calls.length;
    await failure(
      applyShopifyOrderAction(t.context, clientId, SHOP.name, '999999', { action: 'tag', tags: ['x'] }, 'k-unknown'),
    );
    expect(fake.calls.length).toBe(before + 1);
  });

  it('a 429 is retryable after its Retry-After, a 503 too; the retry then succeeds', async () => {
    fake.addOrder(SHOP.name, 6003);
    fake.throttleNext(1, 3);
    const throttled = await failure(
      applyShopifyOrderAction(t.context, clientId, SHOP.name, '6003', { action: 'tag', tags: ['a'] }, 'k-429'),
    );
    expect(throttled).toMatchObject({
      retryable: true,
      details: { status: 429, retryAfterMs: 3000, code: 'throttled' },
    });
    fake.failNext(1);
    const down = await failure(
      applyShopifyOrderAction(t.context, clientId, SHOP.name, '6003', { action: 'tag', tags: ['a'] }, 'k-429'),
    );
    expect(down).toMatchObject({ retryable: true, details: { status: 503 } });
    await applyShopifyOrderAction(t.context, clientId, SHOP.name, '6003', { action: 'tag', tags: ['a'] }, 'k-429');
    expect(fake.order(SHOP.name, 6003)?.tags).toEqual(['a']);
  });

  it('a wrong token is a 401, not retryable; an unknown store or order id fails before any call', async () => {
    fake.addOrder(SHOP.name, 6004);
    await t.api('PUT', `/commerce/shopify_store/${SHOP.name}`, { key, json: { access_token: 'shpat_revoked' } });
    const revoked = await failure(
      applyShopifyOrderAction(t.context, clientId, SHOP.name, '6004', { action: 'note', note: 'x' }, 'k-401'),
    );
    expect(revoked).toMatchObject({ retryable: false, details: { status: 401 } });
    expect(revoked.message).toMatch(/SHOPIFY_TOKEN_APP/);
    await t.api('PUT', `/commerce/shopify_store/${SHOP.name}`, { key, json: { access_token: SHOP.accessToken } });
    const before = fake.calls.length;
    // Another client's store is not this client's.
    const otherStore = await failure(
      applyShopifyOrderAction(t.context, clientId, OTHER_SHOP.name, '6004', { action: 'note', note: 'x' }, 'k-o'),
    );
    expect(otherStore).toMatchObject({ retryable: false, details: { code: 'unknown_store' } });
    const badId = await failure(
      applyShopifyOrderAction(t.context, clientId, SHOP.name, '#1004', { action: 'note', note: 'x' }, 'k-id'),
    );
    expect(badId).toMatchObject({ retryable: false, details: { code: 'invalid_order_id' } });
    expect(fake.calls.length).toBe(before);
    expect(fake.order(SHOP.name, 6004)?.note).toBeNull();
  });
});
