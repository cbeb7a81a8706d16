// Shopify's order-creation webhook at /api/commerce/webhook/shopify/?api_key=…&action=creation&id_store=… (seed 001):
// the store's X-Shopify-Hmac-Sha256 is checked on the raw body before anything is read or stored, a delivery id is
// taken once, and Shopify's order JSON becomes an order (commerce.order.created starts the client's flows).
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { channelKey } from '../../channels/secrets.js';
import type { AppContext } from '../../context.js';
import { isUniqueViolation } from '../../db/dialect.js';
import { preparedQuery } from '../../db/prepared.js';
import { isEmailAddress } from '../../email.js';
import { ApiError, fieldInvalid, fieldMissing, unknownResource } from '../../errors.js';
import { commitGroupOf } from '../../events/commit-group.js';
import { nowInstant } from '../../time.js';
import { insertOrder, ordersDisabled, ordersEnabled, validateOrderInput } from './orders.js';
import { findStore, openStoreSecrets } from './shopify-stores.js';

/** Largest order body accepted (an order of hundreds of lines stays far below). */
const WEBHOOK_BODY_LIMIT = 2 * 1024 * 1024;

/** X-Shopify-Hmac-Sha256 as Shopify computes it: base64 of the HMAC-SHA256 of the raw body, keyed with the secret. */
export function shopifyHmac(secret: string, rawBody: Buffer | string): string {
  return createHmac('sha256', secret).update(rawBody).digest('base64');
}

/** Compares the header with the expected HMAC in constant time (as bytes, so a malformed header is just a mismatch). */
export function shopifyHmacValid(secret: string, rawBody: Buffer, header: string | undefined): boolean {
  if (header === undefined || header === '') return false;
  const expected = createHmac('sha256', secret).update(rawBody).digest();
  const given = Buffer.from(header.trim(), 'base64');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const textOf = (value: unknown): string | undefined =>
  typeof value === 'string' && value.trim() !== ''
    ? value.trim()
    : typeof value === 'number'
      ? String(value)
      : undefined;
/** Shopify's amounts are decimal strings ("59.90"). */
const amountOf = (value: unknown): number | undefined => {
  const number = typeof value === 'number' ? value : typeof value === 'string' ? Number(value) : Number.NaN;
  return Number.isFinite(number) ? number : undefined;
};

/** A phone as Shopify stores it ("+39 333 123 4567", "(312) 345-6789") reduced to digits with its leading +. */
function phoneOf(...candidates: unknown[]): string | undefined {
  for (const candidate of candidates) {
    const text = textOf(candidate);
    if (text === undefined) continue;
    const digits = text.replace(/[^0-9]/g, '');
    if (digits.length >= 6 && digits.length <= 15) return `${text.startsWith('+') ? '+' : ''}${digits}`;
  }
  return undefined;
}

/** The gateway Shopify names, as an order's payment method: its manual cash-on-delivery gateway reads `cash_on_delivery`. */
function paymentMethodOf(names: unknown): string | undefined {
  const first = Array.isArray(names) ? textOf(names[0]) : undefined;
  if (first === undefined) return undefined;
  if (/cash on delivery|\bcod\b|contrassegno|pagamento alla consegna/i.test(first)) return 'cash_on_delivery';
  return first.slice(0, 64);
}

/**
 * Shopify's order JSON (the orders/create webhook body) as an order input: id, name, email, phone, customer,
 * line_items, total_price, subtotal_price, total_tax, total_shipping_price_set, currency, shipping_address,
 * financial_status, payment_gateway_names. Fields Shopify leaves empty are left out; validation happens after.
 */
export function orderFromShopify(body: unknown, idStore: string): unknown {
  if (!isObject(body)) return body;
  const customer = isObject(body.customer) ? body.customer : {};
  const shipping = isObject(body.shipping_address) ? body.shipping_address : undefined;
  const customerName =
    [textOf(customer.first_name), textOf(customer.last_name)].filter((part) => part !== undefined).join(' ') ||
    textOf(shipping?.name);
  const email = [textOf(body.email), textOf(body.contact_email), textOf(customer.email)].find(
    (candidate) => candidate !== undefined && isEmailAddress(candidate),
  );
  const phone = phoneOf(
    body.phone,
    customer.phone,
    shipping?.phone,
    (body.billing_address as { phone?: unknown })?.phone,
  );
  const lineItems = Array.isArray(body.line_items) ? body.line_items.filter(isObject) : [];
  const shippingSet = isObject(body.total_shipping_price_set) ? body.total_shipping_price_set : {};
  const shopMoney = isObject(shippingSet.shop_money) ? shippingSet.shop_money : {};
  const totals: Record<string, number | undefined> = {
    total: amountOf(body.total_price),
    subtotal: amountOf(body.subtotal_price),
    shipping: amountOf(shopMoney.amount),
    tax: amountOf(body.total_tax),
  };
  const address: Record<string, string | undefined> = {};
  if (shipping !== undefined)
    for (const part of ['name', 'address1', 'address2', 'city', 'zip', 'province', 'country', 'phone'])
      address[part] = textOf(shipping[part])?.slice(0, 255);
  return {
    external_id: textOf(body.id),
    store: idStore,
    name: textOf(body.name),
    customer: {
      ...(customerName !== undefined && customerName !== '' && { name: customerName.slice(0, 255) }),
      ...(phone !== undefined && { phone }),
      ...(email !== undefined && { email }),
    },
    items: lineItems
      .filter((item) => typeof item.quantity === 'number' && item.quantity > 0)
      .map((item) => ({
        ...(textOf(item.sku) !== undefined && { sku: textOf(item.sku) }),
        name: (textOf(item.name) ?? textOf(item.title) ?? 'Item').slice(0, 255),
        quantity: item.quantity,
        unit_price: amountOf(item.price),
      })),
    totals: Object.fromEntries(Object.entries(totals).filter(([, value]) => value !== undefined)),
    currency: textOf(body.currency),
    ...(shipping !== undefined && {
      shipping_address: Object.fromEntries(Object.entries(address).filter(([, value]) => value !== undefined)),
    }),
    payment_method: paymentMethodOf(body.payment_gateway_names),
    financial_status: textOf(body.financial_status),
  };
}

/** Shopify is told what went wrong in the same envelope the API uses; only the status matters to it. */
function unauthorized(message: string): ApiError {
  return new ApiError('unauthorized', 401, message, 'error');
}

const WebhookQuery = Type.Object({
  api_key: Type.Optional(Type.String({ description: 'Your API key (client scope).' })),
  action: Type.Optional(Type.String({ description: '`creation`: the order-creation webhook.' })),
  id_store: Type.Optional(Type.String({ description: 'The store id shown by `GET /api/2/commerce/shopify_store`.' })),
});

export const shopifyWebhookRoutes: FastifyPluginAsyncTypebox<{ context: AppContext }> = async (app, { context }) => {
  const key = channelKey(context.config).key;
  // The HMAC covers the exact bytes: in this plugin bodies are kept raw (latin1 maps bytes one to one, so the shared
  // hooks see a string and the bytes come back exactly).
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: WEBHOOK_BODY_LIMIT }, (_request, body, done) => {
    done(null, Buffer.isBuffer(body) ? body.toString('latin1') : String(body));
  });

  const route = {
    schema: {
      tags: ['Commerce'],
      summary: 'Shopify order-creation webhook',
      description:
        "Point Shopify's *Order creation* webhook (JSON) here. The body must carry `X-Shopify-Hmac-Sha256`, the base64 HMAC-SHA256 of the raw body with the store's webhook secret (401 otherwise, nothing stored). " +
        'A delivery whose `X-Shopify-Webhook-Id` was taken before answers 200 and creates nothing. The order is created as by `createOrder` (source `shopify`) and starts the flows triggered by new orders. See docs/COMMERCE.md.',
      querystring: WebhookQuery,
      security: [],
    },
  };

  const receive = async (request: {
    query: { api_key?: string | undefined; action?: string | undefined; id_store?: string | undefined };
    headers: Record<string, string | string[] | undefined>;
    body: unknown;
    ip: string;
    log: { info(message: string): void };
  }) => {
    const { api_key: apiKey, action, id_store: idStore } = request.query;
    if (apiKey === undefined || apiKey === '') throw unauthorized("Give your API key in the 'api_key' parameter.");
    const principal = await context.keys.authenticate(apiKey, { address: request.ip }).catch((error: unknown) => {
      if (error instanceof ApiError && error.httpStatus === 403) throw unauthorized('Unknown api_key.');
      throw error;
    });
    if (principal.scope !== 'client')
      throw unauthorized("The 'api_key' must be a client's key: orders belong to a client.");
    if (idStore === undefined || idStore === '') throw fieldMissing('id_store');
    const store = await findStore(context.db, principal.clientId, idStore);
    if (store === undefined) throw unknownResource('shopify_store', idStore, 'id_store');
    const rawBody = Buffer.from(typeof request.body === 'string' ? request.body : '', 'latin1');
    const header = request.headers['x-shopify-hmac-sha256'];
    if (
      !shopifyHmacValid(
        openStoreSecrets(key, store).webhookSecret,
        rawBody,
        typeof header === 'string' ? header : undefined,
      )
    )
      throw unauthorized(
        "X-Shopify-Hmac-Sha256 does not match the body: check the store's webhook secret (Shopify › Settings › Notifications › Webhooks).",
      );
    if (action !== 'creation')
      throw fieldInvalid(
        'action',
        `only 'creation' (Shopify's Order creation webhook) is taken, got '${action ?? ''}'`,
      );
    if (!(await ordersEnabled(context.db, principal.clientId))) throw ordersDisabled();
    let body: unknown;
    try {
      body = JSON.parse(rawBody.toString('utf8'));
    } catch {
      throw new ApiError('invalid_json', 400, 'The body is not JSON: configure the webhook with the JSON format.');
    }
    const order = validateOrderInput(orderFromShopify(body, store.id_store));
    const webhookIdHeader = request.headers['x-shopify-webhook-id'];
    const webhookId =
      typeof webhookIdHeader === 'string' && webhookIdHeader !== '' ? webhookIdHeader.slice(0, 255) : undefined;
    try {
      // Joins the database's group commit: orders arriving together reach the disk in one flush.
      return await commitGroupOf(context.db).run(async (trx) => {
        if (webhookId !== undefined) {
          const taken = await takeDelivery(trx, { storeId: store.id, webhookId, at: nowInstant() });
          if (Number(taken.numAffectedRows ?? 0n) === 0) {
            request.log.info(`shopify: delivery ${webhookId} of store ${store.id_store} taken before; nothing created`);
            return { order_id: null, created: false, duplicate: true };
          }
        }
        const { order: stored, created } = await insertOrder(trx, principal.clientId, order, 'shopify');
        if (webhookId !== undefined) await deliveryMadeOrder(trx, { storeId: store.id, webhookId, orderId: stored.id });
        return { order_id: stored.id, created, duplicate: false };
      });
    } catch (error) {
      // The same order delivered twice at once under two delivery ids: the first stored it.
      if (isUniqueViolation(error)) return { order_id: null, created: false, duplicate: true };
      throw error;
    }
  };

  for (const path of ['/api/commerce/webhook/shopify/', '/api/commerce/webhook/shopify'])
    app.post(path, { ...route, schema: { ...route.schema, hide: path.endsWith('shopify') } }, async (request) => ({
      meta: { status: 'success' },
      data: await receive(request),
    }));
};

// Prepared (db/prepared.ts): every order webhook runs both.
/** Notes a delivery id; no row changed when it was taken before (Shopify's retry of a delivery). */
const takeDelivery = preparedQuery((db, p: { storeId: number; webhookId: string; at: string }) =>
  db
    .insertInto('shopify_webhook_seen')
    .values({ store_id: p.storeId, webhook_id: p.webhookId, order_id: null, received_at: p.at })
    .onConflict((oc) => oc.columns(['store_id', 'webhook_id']).doNothing()),
);

const deliveryMadeOrder = preparedQuery((db, p: { storeId: number; webhookId: string; orderId: number }) =>
  db
    .updateTable('shopify_webhook_seen')
    .set({ order_id: p.orderId })
    .where('store_id', '=', p.storeId)
    .where('webhook_id', '=', p.webhookId),
);
