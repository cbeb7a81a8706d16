// Orders of a client's shop (seed 001 createOrder, Shopify's order webhook): validation naming the field, one row per
// merchant order id and store, and the `commerce.order.created` event flows start on, committed with the row.
import type { Kysely, Transaction } from 'kysely';
import { isUniqueViolation } from '../../db/dialect.js';
import { preparedQuery } from '../../db/prepared.js';
import type { CommerceOrderRow, Database } from '../../db/schema.js';
import { isEmailAddress } from '../../email.js';
import { ApiError, conflict, fieldInvalid, fieldMissing, fieldUnknown } from '../../errors.js';
import { appendEvent } from '../../events/append.js';
import { transact } from '../../events/transact.js';
import { nowInstant } from '../../time.js';
import { MAX_AMOUNT } from './schema.js';

type Tx = Transaction<Database>;
/** What creating an order needs of the app's context (AppContext fits; not imported, so flows may import this module). */
export interface OrderContext {
  db: Kysely<Database>;
}

export interface OrderInput {
  /** The merchant's (or Shopify's) order id, unique per client and store. */
  external_id: string;
  /** The store's id (Shopify: id_store); optional for direct orders. */
  store?: string | undefined;
  /** The merchant's customer key; defaults to customer.phone, else customer.email. */
  user_key?: string | undefined;
  /** The order's display name, as the shop shows it to its customer (Shopify's `#1001`); optional. */
  name?: string | undefined;
  customer: { name?: string; phone?: string; email?: string };
  items: Array<{ sku?: string; name: string; quantity: number; unit_price: number }>;
  totals: { subtotal?: number; shipping?: number; tax?: number; total: number };
  /** ISO 4217. */
  currency: string;
  shipping_address?: {
    name?: string;
    address1?: string;
    address2?: string;
    city?: string;
    zip?: string;
    province?: string;
    country?: string;
    phone?: string;
  };
  /** e.g. 'cash_on_delivery'. */
  payment_method?: string;
  financial_status?: string;
}

/** A stored order; `created_at` is the UTC instant (ISO 8601), presented in the reader's zone by the API. */
export interface Order extends OrderInput {
  id: number;
  client_id: number;
  source: 'api' | 'shopify';
  created_at: string;
  /** Always set on a stored order (see OrderInput.user_key for how it is chosen). */
  user_key: string;
}

/** An order as validated: every optional part present or left out, user_key worked out. */
type ValidOrder = OrderInput & { user_key: string };

const ORDER_FIELDS = new Set([
  'external_id',
  'store',
  'user_key',
  'name',
  'customer',
  'items',
  'totals',
  'currency',
  'shipping_address',
  'payment_method',
  'financial_status',
]);
/** Fields a caller may send beside the order without it being refused (the key of the seed's URLs). */
const IGNORED_FIELDS = new Set(['api_key']);
const ADDRESS_FIELDS = ['name', 'address1', 'address2', 'city', 'zip', 'province', 'country', 'phone'] as const;
const MAX_ITEMS = 500;
const MAX_QUANTITY = 1_000_000;

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** An optional text: absent, null and '' are absent; otherwise a string of at most `max` characters. */
function optionalText(value: unknown, field: string, max: number): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'number' && Number.isFinite(value)) return optionalText(String(value), field, max);
  if (typeof value !== 'string') throw fieldInvalid(field, 'expected a text');
  const trimmed = value.trim();
  if (trimmed === '') return undefined;
  if (trimmed.length > max) throw fieldInvalid(field, `expected at most ${max} characters, got ${trimmed.length}`);
  return trimmed;
}

function requiredText(value: unknown, field: string, max: number): string {
  const text = optionalText(value, field, max);
  if (text === undefined) throw fieldMissing(field);
  return text;
}

function amount(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > MAX_AMOUNT)
    throw fieldInvalid(field, `expected an amount from 0 to ${MAX_AMOUNT}, such as 49.90`);
  return value;
}

function optionalAmount(value: unknown, field: string): number | undefined {
  return value === undefined || value === null ? undefined : amount(value, field);
}

function objectField(value: unknown, field: string): Record<string, unknown> {
  if (value === undefined || value === null) throw fieldMissing(field);
  if (!isObject(value)) throw fieldInvalid(field, 'expected an object');
  return value;
}

function refuseUnknown(value: Record<string, unknown>, known: readonly string[], prefix: string): void {
  for (const name of Object.keys(value))
    if (!known.includes(name)) throw fieldUnknown(`${prefix}.${name}`, prefix.replace(/\[\d+\]$/, ''));
}

/** Checks an order as a caller sent it; throws an ApiError (400) naming the first wrong field. */
export function validateOrderInput(input: unknown): ValidOrder {
  if (!isObject(input))
    throw new ApiError(
      'field_invalid',
      400,
      'The order must be a JSON object with external_id, customer, items, totals and currency.',
    );
  for (const name of Object.keys(input))
    if (!ORDER_FIELDS.has(name) && !IGNORED_FIELDS.has(name)) throw fieldUnknown(name, 'order');

  const external_id = requiredText(input.external_id, 'external_id', 255);
  const store = optionalText(input.store, 'store', 64);
  const orderName = optionalText(input.name, 'name', 255);

  const customerInput = objectField(input.customer, 'customer');
  refuseUnknown(customerInput, ['name', 'phone', 'email'], 'customer');
  const customer: OrderInput['customer'] = {};
  const name = optionalText(customerInput.name, 'customer.name', 255);
  if (name !== undefined) customer.name = name;
  const phone = optionalText(customerInput.phone, 'customer.phone', 32);
  if (phone !== undefined) {
    if (!/^\+?[0-9][0-9 ().-]{3,30}$/.test(phone))
      throw fieldInvalid('customer.phone', "expected a phone number, such as '+393331234567'");
    customer.phone = phone;
  }
  const email = optionalText(customerInput.email, 'customer.email', 254);
  if (email !== undefined) {
    if (!isEmailAddress(email))
      throw fieldInvalid('customer.email', "expected an email address, such as 'julie@shop.example'");
    customer.email = email;
  }

  if (input.items === undefined || input.items === null) throw fieldMissing('items');
  if (!Array.isArray(input.items) || input.items.length === 0 || input.items.length > MAX_ITEMS)
    throw fieldInvalid('items', `expected a list of 1 to ${MAX_ITEMS} items`);
  const items = input.items.map((item: unknown, index) => {
    const at = `items[${index}]`;
    if (!isObject(item)) throw fieldInvalid(at, 'expected an object with name, quantity and unit_price');
    refuseUnknown(item, ['sku', 'name', 'quantity', 'unit_price'], at);
    const quantity = item.quantity;
    if (quantity === undefined || quantity === null) throw fieldMissing(`${at}.quantity`);
    if (typeof quantity !== 'number' || !Number.isInteger(quantity) || quantity < 1 || quantity > MAX_QUANTITY)
      throw fieldInvalid(`${at}.quantity`, `expected a whole number from 1 to ${MAX_QUANTITY}`);
    if (item.unit_price === undefined || item.unit_price === null) throw fieldMissing(`${at}.unit_price`);
    const sku = optionalText(item.sku, `${at}.sku`, 255);
    return {
      ...(sku !== undefined && { sku }),
      name: requiredText(item.name, `${at}.name`, 255),
      quantity,
      unit_price: amount(item.unit_price, `${at}.unit_price`),
    };
  });

  const totalsInput = objectField(input.totals, 'totals');
  refuseUnknown(totalsInput, ['subtotal', 'shipping', 'tax', 'total'], 'totals');
  if (totalsInput.total === undefined || totalsInput.total === null) throw fieldMissing('totals.total');
  const totals: OrderInput['totals'] = { total: amount(totalsInput.total, 'totals.total') };
  for (const part of ['subtotal', 'shipping', 'tax'] as const) {
    const value = optionalAmount(totalsInput[part], `totals.${part}`);
    if (value !== undefined) totals[part] = value;
  }

  const currencyText = requiredText(input.currency, 'currency', 3).toUpperCase();
  if (!/^[A-Z]{3}$/.test(currencyText)) throw fieldInvalid('currency', "expected an ISO 4217 code, such as 'EUR'");

  let shipping_address: OrderInput['shipping_address'];
  if (input.shipping_address !== undefined && input.shipping_address !== null) {
    const address = objectField(input.shipping_address, 'shipping_address');
    refuseUnknown(address, ADDRESS_FIELDS, 'shipping_address');
    shipping_address = {};
    for (const part of ADDRESS_FIELDS) {
      const value = optionalText(address[part], `shipping_address.${part}`, 255);
      if (value !== undefined) shipping_address[part] = value;
    }
  }
  const payment_method = optionalText(input.payment_method, 'payment_method', 64);
  const financial_status = optionalText(input.financial_status, 'financial_status', 64);

  const user_key = optionalText(input.user_key, 'user_key', 255) ?? customer.phone ?? customer.email;
  if (user_key === undefined)
    throw new ApiError(
      'field_missing',
      400,
      "Field 'user_key' is missing. Give user_key, or a customer.phone or customer.email it defaults to.",
      'fail',
      { field: 'user_key' },
    );

  return {
    external_id,
    ...(store !== undefined && { store }),
    user_key,
    ...(orderName !== undefined && { name: orderName }),
    customer,
    items,
    totals,
    currency: currencyText,
    ...(shipping_address !== undefined && { shipping_address }),
    ...(payment_method !== undefined && { payment_method }),
    ...(financial_status !== undefined && { financial_status }),
  };
}

/** A stored row as the Order the API and flows read. */
export function presentOrder(row: CommerceOrderRow): Order {
  const totals: OrderInput['totals'] = { total: Number(row.total) };
  if (row.subtotal !== null) totals.subtotal = Number(row.subtotal);
  if (row.shipping !== null) totals.shipping = Number(row.shipping);
  if (row.tax !== null) totals.tax = Number(row.tax);
  return {
    id: row.id,
    client_id: row.client_id,
    external_id: row.external_id,
    ...(row.store !== '' && { store: row.store }),
    user_key: row.user_key,
    ...(row.name !== null && { name: row.name }),
    customer: JSON.parse(row.customer) as Order['customer'],
    items: JSON.parse(row.items) as Order['items'],
    totals,
    currency: row.currency,
    ...(row.shipping_address !== null && {
      shipping_address: JSON.parse(row.shipping_address) as NonNullable<Order['shipping_address']>,
    }),
    ...(row.payment_method !== null && { payment_method: row.payment_method }),
    ...(row.financial_status !== null && { financial_status: row.financial_status }),
    source: row.source,
    created_at: row.created_at,
  };
}

function findOrder(
  db: Kysely<Database> | Tx,
  clientId: number,
  store: string,
  externalId: string,
): Promise<CommerceOrderRow | undefined> {
  return db
    .selectFrom('commerce_order')
    .selectAll()
    .where('client_id', '=', clientId)
    .where('store', '=', store)
    .where('external_id', '=', externalId)
    .executeTakeFirst();
}

/** A second creation of one order is a retry when it carries the same total and currency; otherwise a mistake. */
function sameOrderOrConflict(existing: CommerceOrderRow, order: ValidOrder): Order {
  const place = `The order with the external_id '${existing.external_id}'${existing.store !== '' ? ` of store '${existing.store}'` : ''} was already created`;
  if (Math.abs(Number(existing.total) - order.totals.total) > 1e-9)
    throw conflict(
      `Value of field 'totals.total' is not valid. ${place} with the total ${Number(existing.total)}; a retry must send the same total, and another order needs another external_id.`,
      'totals.total',
    );
  if (existing.currency !== order.currency)
    throw conflict(
      `Value of field 'currency' is not valid. ${place} in ${existing.currency}; a retry must send the same currency.`,
      'currency',
    );
  return presentOrder(existing);
}

/**
 * Inserts a validated order and appends `commerce.order.created` in the caller's transaction (opened by transact).
 * An order already stored under the same external id and store is answered as it is (`created: false`, no event).
 */
export async function insertOrder(
  trx: Tx,
  clientId: number,
  order: ValidOrder,
  source: Order['source'],
): Promise<{ order: Order; created: boolean }> {
  const store = order.store ?? '';
  const existing = await findOrder(trx, clientId, store, order.external_id);
  if (existing !== undefined) return { order: sameOrderOrConflict(existing, order), created: false };
  const at = nowInstant();
  const row = await trx
    .insertInto('commerce_order')
    .values({
      client_id: clientId,
      store,
      external_id: order.external_id,
      user_key: order.user_key,
      name: order.name ?? null,
      customer: JSON.stringify(order.customer),
      items: JSON.stringify(order.items),
      subtotal: order.totals.subtotal ?? null,
      shipping: order.totals.shipping ?? null,
      tax: order.totals.tax ?? null,
      total: order.totals.total,
      currency: order.currency,
      shipping_address: order.shipping_address === undefined ? null : JSON.stringify(order.shipping_address),
      payment_method: order.payment_method ?? null,
      financial_status: order.financial_status ?? null,
      source,
      created_at: at,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  await appendEvent(trx, {
    type: 'commerce.order.created',
    clientId,
    subject: { type: 'commerce_order', id: row.id },
    payload: { clientId, orderId: row.id, userKey: row.user_key, source, store: store === '' ? null : store },
    at,
  });
  return { order: presentOrder(row), created: true };
}

/**
 * Validates (throws ApiError naming the field), stores and appends 'commerce.order.created' in ONE transaction; also
 * says whether it was created now or was already there (a retry with the same total and currency).
 */
export async function createOrderOnce(
  context: OrderContext,
  clientId: number,
  input: unknown,
  source: Order['source'],
): Promise<{ order: Order; created: boolean }> {
  const order = validateOrderInput(input);
  try {
    return await transact(context.db, (trx) => insertOrder(trx, clientId, order, source));
  } catch (error) {
    // Two creations of one order at once: the unique index keeps one; the other answers as a retry would.
    if (!isUniqueViolation(error)) throw error;
    const winner = await findOrder(context.db, clientId, order.store ?? '', order.external_id);
    if (winner === undefined) throw error;
    return { order: sameOrderOrConflict(winner, order), created: false };
  }
}

/** Validates (throws ApiError naming the field), stores and appends 'commerce.order.created' in ONE transaction. */
export async function createOrder(
  context: OrderContext,
  clientId: number,
  input: unknown,
  source: Order['source'],
): Promise<Order> {
  return (await createOrderOnce(context, clientId, input, source)).order;
}

/** One order of the client, or undefined (flows read the order a run started on). */
export async function loadOrder(db: Kysely<Database>, clientId: number, orderId: number): Promise<Order | undefined> {
  const row = await db
    .selectFrom('commerce_order')
    .selectAll()
    .where('id', '=', orderId)
    .where('client_id', '=', clientId)
    .executeTakeFirst();
  return row === undefined ? undefined : presentOrder(row);
}

const ordersSetting = preparedQuery((db, p: { clientId: number }) =>
  db.selectFrom('commerce_settings').select('orders_enabled').where('client_id', '=', p.clientId),
);

/** Whether the client is configured for orders (false: createOrder answers 403 saying so). */
export async function ordersEnabled(db: Kysely<Database>, clientId: number): Promise<boolean> {
  const { rows } = await ordersSetting(db, { clientId });
  return rows[0]?.orders_enabled === 1;
}

/** The 403 answered to an order for a client not configured for orders. */
export function ordersDisabled(): ApiError {
  return new ApiError(
    'orders_disabled',
    403,
    'This account is not configured for orders: enable them with PUT /api/2/commerce/settings {"orders_enabled": true}.',
    'fail',
  );
}
