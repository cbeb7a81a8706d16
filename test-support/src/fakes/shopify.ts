// A local Shopify for tests and benchmarks: the Admin GraphQL endpoint (POST /admin/api/{version}/graphql.json) of
// one or more shops, checking X-Shopify-Access-Token (401), running the tagsAdd, orderUpdate (note) and orderCancel
// mutations on its orders with Shopify's answer shapes (userErrors for an unknown order), throttling with 429 and
// Retry-After on demand, recording what was done; and order-creation webhooks signed as Shopify signs them.
import { createHmac, randomUUID } from 'node:crypto';
import { type FakeAnswer, FakeProvider, type FakeRequest, json, postWebhook } from './http.js';

export interface FakeShopifyShop {
  /** SHOPIFY_STORE_NAME: `{name}.myshopify.com`. */
  name: string;
  accessToken: string;
  /** The secret its webhooks are signed with. */
  webhookSecret: string;
}

/** An order of a fake shop, as the mutations leave it. */
export interface FakeShopifyOrder {
  id: number;
  tags: string[];
  note: string | null;
  cancelled: boolean;
  cancelReason: string | null;
  staffNote: string | null;
}

/** A mutation the fake applied (or refused with userErrors), for tests to assert on. */
export interface FakeShopifyCall {
  shop: string;
  mutation: string;
  variables: Record<string, unknown>;
  userErrors: Array<{ field: string[] | null; message: string; code?: string }>;
}

/**
 * X-Shopify-Hmac-Sha256 as Shopify computes it: base64 of the HMAC-SHA256 of the raw body with the webhook secret.
 * Written here from Shopify's documentation rather than imported from the server, so a mistake in the server shows.
 */
export function shopifyWebhookHmac(secret: string, body: string | Buffer): string {
  return createHmac('sha256', secret).update(body).digest('base64');
}

const CANCEL_REASONS = new Set(['CUSTOMER', 'DECLINED', 'FRAUD', 'INVENTORY', 'OTHER', 'STAFF']);
const ORDER_GID = /^gid:\/\/shopify\/Order\/([0-9]+)$/;

/** Shopify's answer to a call without a valid token. */
const INVALID_TOKEN = json(401, {
  errors: '[API] Invalid API key or access token (unrecognized login or wrong password)',
});

/** The top-level field of the (single) operation: what follows the operation's first `{`. */
function mutationField(query: string): string | undefined {
  if (!/^\s*mutation\b/.test(query)) return undefined;
  const start = query.indexOf('{');
  return start === -1 ? undefined : /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*\(/.exec(query.slice(start + 1))?.[1];
}

const graphqlError = (message: string, code = 'BAD_REQUEST') =>
  json(200, { errors: [{ message, extensions: { code } }] });

export class FakeShopify extends FakeProvider {
  readonly calls: FakeShopifyCall[] = [];
  /** Orders by shop name, then by numeric id. */
  private readonly orders = new Map<string, Map<number, FakeShopifyOrder>>();
  private throttledCalls = 0;
  private throttleSeconds = 2;
  private failingCalls = 0;
  /** Calls answered 429 so far. */
  throttled = 0;

  constructor(readonly shops: FakeShopifyShop[]) {
    super();
    for (const shop of shops) this.orders.set(shop.name, new Map());
  }

  /** Adds an order to a shop (as a checkout would); answers it. */
  addOrder(shopName: string, id: number): FakeShopifyOrder {
    const order: FakeShopifyOrder = { id, tags: [], note: null, cancelled: false, cancelReason: null, staffNote: null };
    this.ordersOf(shopName).set(id, order);
    return order;
  }

  order(shopName: string, id: number): FakeShopifyOrder | undefined {
    return this.ordersOf(shopName).get(id);
  }

  /** The next `calls` calls answer 429 with `Retry-After: seconds`, as Shopify's rate limit does. */
  throttleNext(calls: number, seconds = 2): void {
    this.throttledCalls = calls;
    this.throttleSeconds = seconds;
  }

  /** The next `calls` calls answer 503 (an outage). */
  failNext(calls: number): void {
    this.failingCalls = calls;
  }

  private ordersOf(shopName: string): Map<number, FakeShopifyOrder> {
    const orders = this.orders.get(shopName);
    if (orders === undefined) throw new Error(`The fake Shopify has no shop '${shopName}'.`);
    return orders;
  }

  protected handle(request: FakeRequest): FakeAnswer {
    if (!/^\/admin\/api\/[0-9]{4}-[0-9]{2}\/graphql\.json$/.test(request.path))
      return json(404, { errors: 'Not Found' });
    if (request.method !== 'POST') return json(405, { errors: 'Method Not Allowed' });
    const token = request.headers['x-shopify-access-token'];
    const shop = this.shops.find((candidate) => candidate.accessToken === token);
    if (shop === undefined) return INVALID_TOKEN;
    if (this.throttledCalls > 0) {
      this.throttledCalls -= 1;
      this.throttled += 1;
      return {
        status: 429,
        headers: { 'content-type': 'application/json', 'retry-after': String(this.throttleSeconds) },
        body: JSON.stringify({
          errors: 'Exceeded 2 calls per second for api client. Reduce request rates to resume uninterrupted service.',
        }),
      };
    }
    if (this.failingCalls > 0) {
      this.failingCalls -= 1;
      return json(503, { errors: 'Service Unavailable' });
    }
    if (!(request.headers['content-type'] ?? '').startsWith('application/json'))
      return json(415, { errors: 'Unsupported Media Type' });
    let body: { query?: unknown; variables?: unknown };
    try {
      body = JSON.parse(request.body.toString('utf8')) as typeof body;
    } catch {
      return json(400, { errors: 'Bad Request: the body is not JSON.' });
    }
    const query = typeof body.query === 'string' ? body.query : '';
    const variables =
      typeof body.variables === 'object' && body.variables !== null ? (body.variables as Record<string, unknown>) : {};
    const mutation = mutationField(query);
    switch (mutation) {
      case 'tagsAdd':
        return this.tagsAdd(shop, variables);
      case 'orderUpdate':
        return this.orderUpdate(shop, variables);
      case 'orderCancel':
        return this.orderCancel(shop, variables);
      default:
        return graphqlError(
          `Field '${mutation ?? '(none)'}' doesn't exist on type 'Mutation' (the fake supports tagsAdd, orderUpdate and orderCancel, with variables).`,
          'undefinedField',
        );
    }
  }

  /** The order a GID names, or the userErrors Shopify answers for it. */
  private find(
    shop: FakeShopifyShop,
    gid: unknown,
    field: string,
  ): FakeShopifyOrder | Array<{ field: string[]; message: string }> {
    const match = typeof gid === 'string' ? ORDER_GID.exec(gid) : null;
    const order = match === null ? undefined : this.ordersOf(shop.name).get(Number(match[1]));
    return order ?? [{ field: [field], message: 'Order does not exist' }];
  }

  private record(
    shop: FakeShopifyShop,
    mutation: string,
    variables: Record<string, unknown>,
    userErrors: FakeShopifyCall['userErrors'],
  ) {
    this.calls.push({ shop: shop.name, mutation, variables, userErrors });
  }

  private static cost = {
    requestedQueryCost: 10,
    actualQueryCost: 10,
    throttleStatus: { maximumAvailable: 2000, currentlyAvailable: 1990, restoreRate: 100 },
  };

  private answer(data: Record<string, unknown>): FakeAnswer {
    return json(200, { data, extensions: { cost: FakeShopify.cost } });
  }

  private tagsAdd(shop: FakeShopifyShop, variables: Record<string, unknown>): FakeAnswer {
    const tags = variables.tags;
    if (!Array.isArray(tags) || !tags.every((tag) => typeof tag === 'string'))
      return graphqlError('Variable $tags of type [String!]! was provided invalid value', 'INVALID_VARIABLE');
    const found = this.find(shop, variables.id, 'id');
    if (Array.isArray(found)) {
      this.record(shop, 'tagsAdd', variables, found);
      return this.answer({ tagsAdd: { node: null, userErrors: found } });
    }
    for (const tag of tags as string[]) if (!found.tags.includes(tag)) found.tags.push(tag);
    this.record(shop, 'tagsAdd', variables, []);
    return this.answer({ tagsAdd: { node: { id: `gid://shopify/Order/${found.id}` }, userErrors: [] } });
  }

  private orderUpdate(shop: FakeShopifyShop, variables: Record<string, unknown>): FakeAnswer {
    const input = variables.input as Record<string, unknown> | undefined;
    if (typeof input !== 'object' || input === null || typeof input.id !== 'string')
      return graphqlError(
        'Variable $input of type OrderInput! was provided invalid value for id (Expected value to not be null)',
        'INVALID_VARIABLE',
      );
    const found = this.find(shop, input.id, 'id');
    if (Array.isArray(found)) {
      this.record(shop, 'orderUpdate', variables, found);
      return this.answer({ orderUpdate: { order: null, userErrors: found } });
    }
    if (typeof input.note === 'string') found.note = input.note;
    this.record(shop, 'orderUpdate', variables, []);
    return this.answer({
      orderUpdate: { order: { id: `gid://shopify/Order/${found.id}`, note: found.note }, userErrors: [] },
    });
  }

  private orderCancel(shop: FakeShopifyShop, variables: Record<string, unknown>): FakeAnswer {
    for (const [name, type] of [
      ['refund', 'Boolean!'],
      ['restock', 'Boolean!'],
    ] as const)
      if (typeof variables[name] !== 'boolean')
        return graphqlError(`Variable $${name} of type ${type} was provided invalid value`, 'INVALID_VARIABLE');
    if (typeof variables.reason !== 'string' || !CANCEL_REASONS.has(variables.reason))
      return graphqlError('Variable $reason of type OrderCancelReason! was provided invalid value', 'INVALID_VARIABLE');
    const found = this.find(shop, variables.orderId, 'orderId');
    const refuse = (errors: Array<{ field: string[]; message: string; code: string }>) => {
      this.record(shop, 'orderCancel', variables, errors);
      // The deprecated userErrors repeat the errors without their code.
      return this.answer({
        orderCancel: {
          job: null,
          orderCancelUserErrors: errors,
          userErrors: errors.map(({ field, message }) => ({ field, message })),
        },
      });
    };
    if (Array.isArray(found)) return refuse(found.map((error) => ({ ...error, code: 'NOT_FOUND' })));
    if (found.cancelled)
      return refuse([{ field: ['orderId'], message: 'Cannot cancel a cancelled order.', code: 'INVALID' }]);
    found.cancelled = true;
    found.cancelReason = variables.reason;
    found.staffNote = typeof variables.staffNote === 'string' ? variables.staffNote : null;
    this.record(shop, 'orderCancel', variables, []);
    return this.answer({
      orderCancel: {
        job: { id: `gid://shopify/Job/${randomUUID()}`, done: false },
        orderCancelUserErrors: [],
        userErrors: [],
      },
    });
  }

  /**
   * An orders/create webhook body as Shopify sends it (a cash-on-delivery order of two lines); `overrides` replace
   * top-level fields. The order is added to the shop, so the Admin mutations find it.
   */
  orderPayload(shopName: string, id: number, overrides: Record<string, unknown> = {}): Record<string, unknown> {
    this.addOrder(shopName, id);
    const money = (amount: string) => ({
      shop_money: { amount, currency_code: 'EUR' },
      presentment_money: { amount, currency_code: 'EUR' },
    });
    const address = {
      first_name: 'Giulia',
      last_name: 'Rossi',
      name: 'Giulia Rossi',
      address1: 'Via Roma 12',
      address2: null,
      city: 'Milano',
      zip: '20121',
      province: 'Milano',
      province_code: 'MI',
      country: 'Italy',
      country_code: 'IT',
      phone: '+39 333 123 4567',
      company: null,
      latitude: 45.4642,
      longitude: 9.19,
    };
    return {
      id,
      admin_graphql_api_id: `gid://shopify/Order/${id}`,
      name: `#${1000 + (id % 1000)}`,
      order_number: 1000 + (id % 1000),
      email: 'giulia.rossi@example.com',
      contact_email: 'giulia.rossi@example.com',
      phone: null,
      created_at: '2026-07-01T14:00:00+02:00',
      currency: 'EUR',
      presentment_currency: 'EUR',
      financial_status: 'pending',
      fulfillment_status: null,
      gateway: 'Cash on Delivery (COD)',
      payment_gateway_names: ['Cash on Delivery (COD)'],
      subtotal_price: '49.90',
      subtotal_price_set: money('49.90'),
      total_price: '54.90',
      total_price_set: money('54.90'),
      total_tax: '9.00',
      total_tax_set: money('9.00'),
      total_shipping_price_set: money('5.00'),
      total_discounts: '0.00',
      taxes_included: true,
      tags: '',
      note: null,
      customer: {
        id: 207119551,
        email: 'giulia.rossi@example.com',
        first_name: 'Giulia',
        last_name: 'Rossi',
        phone: '+393331234567',
        currency: 'EUR',
        admin_graphql_api_id: 'gid://shopify/Customer/207119551',
      },
      billing_address: address,
      shipping_address: address,
      line_items: [
        {
          id: 466157049,
          admin_graphql_api_id: 'gid://shopify/LineItem/466157049',
          name: 'Maglia in cotone - M',
          title: 'Maglia in cotone',
          variant_title: 'M',
          sku: 'MAGLIA-M',
          quantity: 2,
          price: '19.95',
          price_set: money('19.95'),
          product_id: 632910392,
          variant_id: 808950810,
          requires_shipping: true,
          taxable: true,
        },
        {
          id: 518995019,
          admin_graphql_api_id: 'gid://shopify/LineItem/518995019',
          name: 'Calzini',
          title: 'Calzini',
          variant_title: null,
          sku: '',
          quantity: 1,
          price: '10.00',
          price_set: money('10.00'),
          product_id: 632910393,
          variant_id: 808950811,
          requires_shipping: true,
          taxable: true,
        },
      ],
      shipping_lines: [{ id: 369256396, title: 'Standard', price: '5.00', code: 'Standard' }],
      ...overrides,
    };
  }

  /**
   * Posts an orders/create webhook to `url` with Shopify's headers, signed with the shop's webhook secret (or
   * `options.secret`); the same `webhookId` is what Shopify sends again on a retry. Answers the HTTP status and body.
   */
  async postOrderCreated(
    url: string,
    shopName: string,
    order: Record<string, unknown>,
    options: { webhookId?: string; secret?: string; hmac?: string } = {},
  ): Promise<{ status: number; webhookId: string; body: string }> {
    const shop = this.shops.find((candidate) => candidate.name === shopName);
    if (shop === undefined) throw new Error(`The fake Shopify has no shop '${shopName}'.`);
    const body = JSON.stringify(order);
    const webhookId = options.webhookId ?? randomUUID();
    const status = await this.track(
      postWebhook(url, body, {
        'content-type': 'application/json',
        'x-shopify-topic': 'orders/create',
        'x-shopify-hmac-sha256': options.hmac ?? shopifyWebhookHmac(options.secret ?? shop.webhookSecret, body),
        'x-shopify-shop-domain': `${shop.name}.myshopify.com`,
        'x-shopify-api-version': '2025-01',
        'x-shopify-webhook-id': webhookId,
        'x-shopify-event-id': randomUUID(),
        'x-shopify-triggered-at': new Date().toISOString(),
      }),
    );
    return { status, webhookId, body };
  }
}
