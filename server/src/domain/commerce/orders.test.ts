// Orders (issue 18): createOrder validates naming the field, stores the order and commits commerce.order.created with
// it; a retry finds the first; the commerce settings and Shopify stores of REST v2 (secrets write-only, per client).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError } from '../../errors.js';
import type { CommittedEvent } from '../../events/dispatcher.js';
import { ADMIN_KEY, clientWithKey, partnerWithKey, startTestApp, type TestApp } from '../../test/harness.js';
import { createOrder, createOrderOnce, loadOrder, ordersEnabled } from './orders.js';

let t: TestApp;
let key: string;
let clientId: number;
let otherKey: string;
let otherClientId: number;
const heard: CommittedEvent[] = [];

const order = (overrides: Record<string, unknown> = {}) => ({
  external_id: 'A-1001',
  customer: { name: 'Giulia Rossi', phone: '+393331234567', email: 'giulia@example.com' },
  items: [
    { sku: 'MAGLIA-M', name: 'Maglia', quantity: 2, unit_price: 19.95 },
    { name: 'Calzini', quantity: 1, unit_price: 10 },
  ],
  totals: { subtotal: 49.9, shipping: 5, total: 54.9 },
  currency: 'EUR',
  shipping_address: { name: 'Giulia Rossi', address1: 'Via Roma 12', city: 'Milano', zip: '20121', country: 'IT' },
  payment_method: 'cash_on_delivery',
  ...overrides,
});

beforeAll(async () => {
  t = await startTestApp();
  ({ key, clientId } = await clientWithKey(t, 'Negozio Srl'));
  ({ key: otherKey, clientId: otherClientId } = await clientWithKey(t, 'Altro Negozio Srl'));
  t.context.reactions.on(['commerce.order.created'], (events) => void heard.push(...events), { name: 'orders test' });
});
afterAll(async () => t.close());

/** The ApiError a call throws (fails the test when it does not throw one). */
async function refusal(call: Promise<unknown>): Promise<ApiError> {
  const error = await call.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(ApiError);
  return error as ApiError;
}

describe('createOrder', () => {
  it('stores the order and commits commerce.order.created with it, heard by reactions', async () => {
    const created = await createOrder(t.context, clientId, order(), 'api');
    expect(created).toMatchObject({
      client_id: clientId,
      external_id: 'A-1001',
      user_key: '+393331234567',
      source: 'api',
      currency: 'EUR',
      totals: { subtotal: 49.9, shipping: 5, total: 54.9 },
      payment_method: 'cash_on_delivery',
    });
    expect(created.items).toHaveLength(2);
    expect(await loadOrder(t.store.db, clientId, created.id)).toEqual(created);
    // Another client does not see it.
    expect(await loadOrder(t.store.db, otherClientId, created.id)).toBeUndefined();
    const events = await t.store.db
      .selectFrom('event')
      .select(['type', 'client_id', 'payload'])
      .where('subject_type', '=', 'commerce_order')
      .where('subject_id', '=', created.id)
      .execute();
    expect(events.map((event) => ({ ...event, payload: JSON.parse(event.payload) }))).toEqual([
      {
        type: 'commerce.order.created',
        client_id: clientId,
        payload: { clientId, orderId: created.id, userKey: '+393331234567', source: 'api', store: null },
      },
    ]);
    await t.context.reactions.settled();
    expect(heard.filter((event) => event.subject.id === created.id)).toHaveLength(1);
  });

  it('user_key defaults to the phone, else the email, and may be given', async () => {
    const byEmail = await createOrder(
      t.context,
      clientId,
      order({ external_id: 'A-1002', customer: { email: 'solo@example.com' } }),
      'api',
    );
    expect(byEmail.user_key).toBe('solo@example.com');
    const given = await createOrder(t.context, clientId, order({ external_id: 'A-1003', user_key: 'cust-77' }), 'api');
    expect(given.user_key).toBe('cust-77');
  });

  it('answers a retry with the first order and no second event; another total for the same id is a 409', async () => {
    const first = await createOrderOnce(t.context, clientId, order({ external_id: 'R-1' }), 'api');
    const again = await createOrderOnce(t.context, clientId, order({ external_id: 'R-1' }), 'api');
    expect(first.created).toBe(true);
    expect(again).toEqual({ order: first.order, created: false });
    const conflict = await refusal(
      createOrder(t.context, clientId, order({ external_id: 'R-1', totals: { total: 99 } }), 'api'),
    );
    expect(conflict.httpStatus).toBe(409);
    expect(conflict.field).toBe('totals.total');
    // The same external id in another store, or for another client, is another order.
    const otherStore = await createOrderOnce(t.context, clientId, order({ external_id: 'R-1', store: 'shop2' }), 'api');
    expect(otherStore.created).toBe(true);
    const otherClient = await createOrderOnce(t.context, otherClientId, order({ external_id: 'R-1' }), 'api');
    expect(otherClient.created).toBe(true);
    const count = await t.store.db
      .selectFrom('event')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('type', '=', 'commerce.order.created')
      .where('subject_id', 'in', [first.order.id, otherStore.order.id, otherClient.order.id])
      .executeTakeFirstOrThrow();
    expect(Number(count.n)).toBe(3);
  });

  it.each([
    [{ external_id: undefined }, 400, 'external_id', /Field 'external_id' is missing/],
    [{ customer: 'Giulia' }, 400, 'customer', /expected an object/i],
    [{ customer: { email: 'not-an-email' } }, 400, 'customer.email', /email address/],
    [{ customer: { name: 'No contact' } }, 400, 'user_key', /customer.phone or customer.email/],
    [{ items: [] }, 400, 'items', /1 to 500 items/],
    [{ items: [{ name: 'X', quantity: 0, unit_price: 1 }] }, 400, 'items[0].quantity', /whole number/],
    [{ items: [{ name: 'X', quantity: 1 }] }, 400, 'items[0].unit_price', /is missing/],
    [{ items: [{ quantity: 1, unit_price: 1 }] }, 400, 'items[0].name', /is missing/],
    [{ totals: { subtotal: 3 } }, 400, 'totals.total', /is missing/],
    [{ totals: { total: -1 } }, 400, 'totals.total', /amount from 0/],
    [{ currency: 'EURO' }, 400, 'currency', /at most 3 characters/],
    [{ currency: '12$' }, 400, 'currency', /ISO 4217/],
    [{ shipping_address: { street: 'x' } }, 400, 'shipping_address.street', /is not a field/],
    [{ colour: 'red' }, 400, 'colour', /is not a field of 'order'/],
  ])('refuses %j with %i naming %s', async (change, status, field, message) => {
    const error = await refusal(createOrder(t.context, clientId, order({ external_id: 'BAD', ...change }), 'api'));
    expect(error.httpStatus).toBe(status);
    expect(error.field).toBe(field);
    expect(error.message).toMatch(message);
    const stored = await t.store.db
      .selectFrom('commerce_order')
      .select('id')
      .where('client_id', '=', clientId)
      .where('external_id', '=', 'BAD')
      .execute();
    expect(stored).toEqual([]);
  });
});

describe('commerce settings (REST v2)', () => {
  it('orders are off until the client turns them on; a partner sets them for its client only', async () => {
    expect(await ordersEnabled(t.store.db, clientId)).toBe(false);
    const read = await t.api('GET', '/commerce/settings', { key });
    expect(read.body.data).toEqual({ client_id: clientId, orders_enabled: false });
    const set = await t.api('PUT', '/commerce/settings', { key, json: { orders_enabled: true } });
    expect(set.status).toBe(200);
    expect(await ordersEnabled(t.store.db, clientId)).toBe(true);
    expect(await ordersEnabled(t.store.db, otherClientId)).toBe(false);

    const { key: partnerKey } = await partnerWithKey(t, 'Rivenditore');
    const { clientId: resold } = await clientWithKey(t, 'Cliente Rivenduto', partnerKey);
    const missing = await t.api('PUT', '/commerce/settings', { key: partnerKey, json: { orders_enabled: true } });
    expect(missing.status).toBe(400);
    expect(missing.body.meta.field).toBe('client_id');
    const ok = await t.api('PUT', '/commerce/settings', {
      key: partnerKey,
      json: { orders_enabled: true, client_id: resold },
    });
    expect(ok.body.data).toEqual({ client_id: resold, orders_enabled: true });
    const notTheirs = await t.api('PUT', '/commerce/settings', {
      key: partnerKey,
      json: { orders_enabled: true, client_id: clientId },
    });
    expect(notTheirs.status).toBe(404);
    const bad = await t.api('PUT', '/commerce/settings', { key, json: { orders_enabled: 'maybe' } });
    expect(bad.status).toBe(400);
    expect(bad.body.meta.field).toBe('orders_enabled');
  });
});

describe('Shopify stores (REST v2)', () => {
  const secrets = { access_token: 'shpat_0123456789abcdef0123456789abcdef', webhook_secret: 'whsec-shop-secret-1' };

  it('are created with their secrets sealed and never answered', async () => {
    const created = await t.api('POST', '/commerce/shopify_store', {
      key,
      json: { store_name: 'negozio-test', ...secrets },
    });
    expect(created.status).toBe(200);
    expect(created.body.data).toMatchObject({
      id_store: 'negozio-test',
      store_name: 'negozio-test',
      access_token_set: true,
      webhook_secret_set: true,
      client_id: clientId,
    });
    expect(String(created.body.data.webhook_url)).toMatch(
      /\/api\/commerce\/webhook\/shopify\/\?api_key=\{your_api_key\}&action=creation&id_store=negozio-test$/,
    );
    const listed = await t.api('GET', '/commerce/shopify_store', { key });
    const got = await t.api('GET', '/commerce/shopify_store/negozio-test', { key });
    for (const answer of [created, listed, got]) {
      const text = JSON.stringify(answer.body);
      expect(text).not.toContain(secrets.access_token);
      expect(text).not.toContain(secrets.webhook_secret);
    }
    const row = await t.store.db
      .selectFrom('shopify_store')
      .selectAll()
      .where('id_store', '=', 'negozio-test')
      .executeTakeFirstOrThrow();
    expect(row.access_token).not.toContain(secrets.access_token);
    expect(row.webhook_secret).not.toContain(secrets.webhook_secret);
    expect(listed.body.data.map((store) => store.id_store)).toEqual(['negozio-test']);
  });

  it('one id_store per client: a second is a 409; another client may use the same', async () => {
    const again = await t.api('POST', '/commerce/shopify_store', {
      key,
      json: { store_name: 'negozio-test', ...secrets },
    });
    expect(again.status).toBe(409);
    expect(again.body.meta.field).toBe('id_store');
    const other = await t.api('POST', '/commerce/shopify_store', {
      key: otherKey,
      json: { store_name: 'negozio-test', ...secrets },
    });
    expect(other.status).toBe(200);
  });

  it('another client neither sees, changes nor deletes them', async () => {
    const { key: thirdKey } = await clientWithKey(t, 'Terzo Srl');
    expect((await t.api('GET', '/commerce/shopify_store/negozio-test', { key: thirdKey })).status).toBe(404);
    expect((await t.api('GET', '/commerce/shopify_store', { key: thirdKey })).body.data).toEqual([]);
    const change = await t.api('PUT', '/commerce/shopify_store/negozio-test', {
      key: thirdKey,
      json: { store_name: 'hijacked' },
    });
    expect(change.status).toBe(404);
    expect((await t.api('DELETE', '/commerce/shopify_store/negozio-test', { key: thirdKey })).status).toBe(404);
  });

  it('are changed (a secret given replaces the stored one) and deleted', async () => {
    const changed = await t.api('PUT', '/commerce/shopify_store/negozio-test', {
      key,
      json: { store_name: 'negozio-nuovo', webhook_secret: 'another-secret' },
    });
    expect(changed.status).toBe(200);
    expect(changed.body.data.store_name).toBe('negozio-nuovo');
    expect(JSON.stringify(changed.body)).not.toContain('another-secret');
    const bad = await t.api('POST', '/commerce/shopify_store', {
      key,
      json: { store_name: 'bad name!', ...secrets },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.meta.field).toBe('store_name');
    expect((await t.api('DELETE', '/commerce/shopify_store/negozio-test', { key })).status).toBe(200);
    expect((await t.api('GET', '/commerce/shopify_store/negozio-test', { key })).status).toBe(404);
    // The platform key names the client it acts for.
    const asAdmin = await t.api('GET', `/commerce/shopify_store?client_id=${otherClientId}`, { key: ADMIN_KEY });
    expect(asAdmin.body.data.map((store) => store.client_id)).toEqual([otherClientId]);
  });
});
