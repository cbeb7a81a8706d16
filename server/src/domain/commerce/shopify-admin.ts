// Changes to a Shopify order from flows (tag, note, cancel) through the Admin GraphQL API of the client's store, with
// its errors classified: retryable (429 with Retry-After, 5xx, throttled, unreachable) or not (4xx, userErrors).

import type { Kysely } from 'kysely';
import { channelKey } from '../../channels/secrets.js';
import type { Config } from '../../config.js';
import { DEFAULT_SHOPIFY_ADMIN_URL } from '../../config.js';
import { preparedQuery } from '../../db/prepared.js';
import type { Database } from '../../db/schema.js';
import { commitGroupOf } from '../../events/commit-group.js';
import type { Tx } from '../../events/transact.js';
import { OutboundFailed, type OutboundGuard, OutboundRefused, type OutboundResponse } from '../../http/outbound.js';
import { nowInstant } from '../../time.js';
import { findStore, openStoreSecrets } from './shopify-stores.js';

/** The Admin API version the mutations below are written for. */
export const SHOPIFY_ADMIN_API_VERSION = '2025-01';

/** What an order action needs of the app's context (AppContext fits; not imported, so the flow engine may import this). */
export interface ShopifyAdminContext {
  db: Kysely<Database>;
  config: Config;
  outbound: OutboundGuard;
}

export type ShopifyOrderAction =
  | { action: 'tag'; tags: string[] }
  | { action: 'note'; note: string }
  | { action: 'cancel'; reason: string };

export interface ShopifyUserError {
  field: string[] | null;
  message: string;
  code?: string | undefined;
}

/** Why an order action failed; `retryable` says whether the same call may succeed later (a flow step retries it). */
export class ShopifyAdminError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
    readonly details: {
      /** HTTP status of Shopify's answer, when there was one. */
      status?: number;
      /** Shopify's userErrors (or orderCancelUserErrors) of the mutation. */
      userErrors?: ShopifyUserError[];
      /** From Retry-After (429), or Shopify's throttle state. */
      retryAfterMs?: number;
      code: string;
    },
  ) {
    super(message);
    this.name = 'ShopifyAdminError';
  }
}

/** Shopify's reasons for a cancellation (OrderCancelReason); any other text is sent as OTHER with it as staff note. */
const CANCEL_REASONS = ['CUSTOMER', 'DECLINED', 'FRAUD', 'INVENTORY', 'OTHER', 'STAFF'] as const;
const MAX_NOTE = 5000;
const MAX_TAG = 40;

const TAGS_ADD = `mutation tagsAdd($id: ID!, $tags: [String!]!) {
  tagsAdd(id: $id, tags: $tags) { node { id } userErrors { field message } }
}`;
const ORDER_UPDATE = `mutation orderUpdate($input: OrderInput!) {
  orderUpdate(input: $input) { order { id note } userErrors { field message } }
}`;
const ORDER_CANCEL = `mutation orderCancel($orderId: ID!, $reason: OrderCancelReason!, $refund: Boolean!, $restock: Boolean!, $notifyCustomer: Boolean, $staffNote: String) {
  orderCancel(orderId: $orderId, reason: $reason, refund: $refund, restock: $restock, notifyCustomer: $notifyCustomer, staffNote: $staffNote) {
    job { id done } orderCancelUserErrors { field message code } userErrors { field message }
  }
}`;

/** The order's GID from a GID or a numeric id (what the order webhook gives as `id`). */
export function orderGid(orderId: string): string {
  const trimmed = orderId.trim();
  if (/^[0-9]{1,20}$/.test(trimmed)) return `gid://shopify/Order/${trimmed}`;
  if (/^gid:\/\/shopify\/Order\/[0-9]{1,20}$/.test(trimmed)) return trimmed;
  throw new ShopifyAdminError(
    `'${orderId}' is not a Shopify order id: expected a number (such as 450789469) or gid://shopify/Order/450789469.`,
    false,
    { code: 'invalid_order_id' },
  );
}

/** The GraphQL document, its variables and the name of the mutation's field in `data`. */
function mutationFor(
  gid: string,
  change: ShopifyOrderAction,
): { query: string; variables: Record<string, unknown>; field: string } {
  switch (change.action) {
    case 'tag': {
      const tags = change.tags.map((tag) => tag.trim()).filter((tag) => tag !== '');
      if (tags.length === 0 || tags.some((tag) => tag.length > MAX_TAG))
        throw new ShopifyAdminError(`Tags must be 1 to ${MAX_TAG} characters each, and at least one.`, false, {
          code: 'invalid_tags',
        });
      return { query: TAGS_ADD, variables: { id: gid, tags }, field: 'tagsAdd' };
    }
    case 'note':
      if (change.note.length > MAX_NOTE)
        throw new ShopifyAdminError(`A note has at most ${MAX_NOTE} characters.`, false, { code: 'invalid_note' });
      return { query: ORDER_UPDATE, variables: { input: { id: gid, note: change.note } }, field: 'orderUpdate' };
    case 'cancel': {
      const reason = CANCEL_REASONS.find((known) => known === change.reason.trim().toUpperCase());
      return {
        query: ORDER_CANCEL,
        // Cash on delivery: nothing was paid, so nothing to refund; the goods go back to stock.
        variables: {
          orderId: gid,
          reason: reason ?? 'OTHER',
          refund: false,
          restock: true,
          notifyCustomer: false,
          ...(reason === undefined && change.reason.trim() !== '' && { staffNote: change.reason.trim().slice(0, 255) }),
        },
        field: 'orderCancel',
      };
    }
  }
}

/** The Admin GraphQL endpoint of a store: the configured base with `{store}` replaced by its name. */
export function adminGraphqlUrl(base: string | undefined, storeName: string): string {
  const root = (base ?? DEFAULT_SHOPIFY_ADMIN_URL).replaceAll('{store}', encodeURIComponent(storeName));
  return `${root.replace(/\/+$/, '')}/admin/api/${SHOPIFY_ADMIN_API_VERSION}/graphql.json`;
}

function retryAfterMs(response: OutboundResponse): number {
  const header = response.headers['retry-after'];
  const seconds = header === undefined ? Number.NaN : Number(header);
  return Number.isFinite(seconds) && seconds >= 0 ? Math.round(seconds * 1000) : 2000;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function userErrorsOf(value: unknown): ShopifyUserError[] {
  if (!Array.isArray(value)) return [];
  return value.filter(isObject).map((error) => ({
    field: Array.isArray(error.field) ? error.field.map(String) : null,
    message: typeof error.message === 'string' ? error.message : 'Unknown error.',
    ...(typeof error.code === 'string' && { code: error.code }),
  }));
}

/** Turns Shopify's answer into nothing (done) or the ShopifyAdminError it means. */
function checkAnswer(response: OutboundResponse, field: string): void {
  if (response.status === 429)
    throw new ShopifyAdminError('Shopify throttled the request (HTTP 429).', true, {
      status: 429,
      retryAfterMs: retryAfterMs(response),
      code: 'throttled',
    });
  if (response.status >= 500)
    throw new ShopifyAdminError(`Shopify answered HTTP ${response.status}.`, true, {
      status: response.status,
      retryAfterMs: 2000,
      code: `http_${response.status}`,
    });
  if (response.status !== 200) {
    const hint =
      response.status === 401
        ? ' The store’s SHOPIFY_TOKEN_APP is wrong or was revoked.'
        : response.status === 403
          ? ' The app lacks the write_orders scope.'
          : response.status === 404
            ? ' Check SHOPIFY_STORE_NAME.'
            : '';
    throw new ShopifyAdminError(`Shopify answered HTTP ${response.status}.${hint}`, false, {
      status: response.status,
      code: `http_${response.status}`,
    });
  }
  let body: unknown;
  try {
    body = JSON.parse(response.body.toString('utf8'));
  } catch {
    throw new ShopifyAdminError('Shopify answered 200 with a body that is not JSON.', true, {
      status: 200,
      code: 'bad_response',
    });
  }
  const errors = isObject(body) && Array.isArray(body.errors) ? body.errors.filter(isObject) : [];
  if (errors.length > 0) {
    // GraphQL's own throttle: HTTP 200 with errors[].extensions.code THROTTLED; the bucket refills within seconds.
    const throttled = errors.some((error) => isObject(error.extensions) && error.extensions.code === 'THROTTLED');
    const message = errors.map((error) => String(error.message ?? 'error')).join('; ');
    throw new ShopifyAdminError(`Shopify refused the query: ${message}`, throttled, {
      status: 200,
      code: throttled ? 'throttled' : 'graphql_error',
      ...(throttled && { retryAfterMs: 1000 }),
    });
  }
  const payload = isObject(body) && isObject(body.data) ? body.data[field] : undefined;
  if (!isObject(payload))
    throw new ShopifyAdminError(`Shopify's answer has no data.${field}.`, true, { status: 200, code: 'bad_response' });
  const userErrors = [...userErrorsOf(payload.orderCancelUserErrors), ...userErrorsOf(payload.userErrors)];
  // orderCancel repeats its errors, without their code, in the deprecated userErrors: each once, with its code.
  const distinct = userErrors.filter(
    (error, index) => userErrors.findIndex((other) => other.message === error.message) === index,
  );
  if (distinct.length > 0)
    throw new ShopifyAdminError(`Shopify refused the change: ${distinct.map((e) => e.message).join('; ')}`, false, {
      status: 200,
      userErrors: distinct,
      code: 'user_errors',
    });
}

/**
 * Applies the change to the order (Shopify GID or numeric id) of the client's store; throws ShopifyAdminError with
 * the userErrors / HTTP status so a flow step can mark itself failed (retryable: 429/5xx; not: 4xx/userErrors). A
 * change Shopify accepted is remembered under its idempotency key, so calling again with that key does nothing.
 * Arguments as sendShopifyOrderAction's; the change is remembered in a commit of its own.
 */
export async function applyShopifyOrderAction(...request: Parameters<typeof sendShopifyOrderAction>): Promise<void> {
  const applied = await sendShopifyOrderAction(...request);
  // In the database's commit group: alone, this one row was a flush of its own per order on SQLite.
  if (applied !== undefined) await commitGroupOf(request[0].db).run((trx) => recordShopifyOrderAction(trx, applied));
}

/** A change Shopify accepted, to remember under its idempotency key (recordShopifyOrderAction). */
export interface AppliedOrderAction {
  clientId: number;
  idempotencyKey: string;
  store: string;
  orderId: string;
  action: ShopifyOrderAction['action'];
  appliedAt: string;
}

/**
 * Sends the change to Shopify unless a change under this key is remembered; returns what to remember (undefined: it
 * was applied before). A flow step remembers it in the transaction that commits the step's outcome.
 */
export async function sendShopifyOrderAction(
  context: ShopifyAdminContext,
  clientId: number,
  store: string,
  orderId: string,
  change: ShopifyOrderAction,
  idempotencyKey: string,
): Promise<AppliedOrderAction | undefined> {
  const done = await appliedAction.first(context.db, { clientId, idempotencyKey });
  if (done !== undefined) return undefined;
  const row = await findStore(context.db, clientId, store);
  if (row === undefined)
    throw new ShopifyAdminError(
      `No Shopify store with the id_store '${store}' for this account (see /api/2/commerce/shopify_store).`,
      false,
      { code: 'unknown_store' },
    );
  const { query, variables, field } = mutationFor(orderGid(orderId), change);
  const { accessToken } = openStoreSecrets(channelKey(context.config).key, row);
  let response: OutboundResponse;
  try {
    response = await context.outbound.request({
      method: 'POST',
      url: adminGraphqlUrl(context.config.shopifyAdminUrl, row.store_name),
      headers: { 'content-type': 'application/json', 'x-shopify-access-token': accessToken },
      body: JSON.stringify({ query, variables }),
      timeoutMs: 10_000,
    });
  } catch (error) {
    if (error instanceof OutboundRefused)
      throw new ShopifyAdminError(`The Shopify URL was refused: ${error.reason}.`, false, { code: 'outbound_refused' });
    if (error instanceof OutboundFailed)
      throw new ShopifyAdminError(`Shopify could not be reached: ${error.reason}.`, true, {
        code: 'network',
        retryAfterMs: 2000,
      });
    throw error;
  }
  checkAnswer(response, field);
  return { clientId, idempotencyKey, store, orderId, action: change.action, appliedAt: nowInstant() };
}

/** Remembers a change Shopify accepted: calling again with its key sends nothing. */
export async function recordShopifyOrderAction(trx: Tx, applied: AppliedOrderAction): Promise<void> {
  await trx
    .insertInto('shopify_order_action')
    .values({
      client_id: applied.clientId,
      idempotency_key: applied.idempotencyKey,
      store: applied.store,
      order_id: applied.orderId,
      action: applied.action,
      applied_at: applied.appliedAt,
    })
    .onConflict((oc) => oc.columns(['client_id', 'idempotency_key']).doNothing())
    .execute();
}

const appliedAction = preparedQuery((db, p: { clientId: number; idempotencyKey: string }) =>
  db
    .selectFrom('shopify_order_action')
    .select('applied_at')
    .where('client_id', '=', p.clientId)
    .where('idempotency_key', '=', p.idempotencyKey),
);
