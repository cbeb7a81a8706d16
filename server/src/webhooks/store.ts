// Queries for webhook subscriptions and their delivery log, limited to the clients the principal may see.
import type { Kysely, Transaction } from 'kysely';
import { type IdPage, inIdOrder, pageOfIds } from '../db/paging.js';
import type { Database, WebhookDeliveryRow, WebhookRow } from '../db/schema.js';
import { clientScope, type Principal } from '../domain/tenancy/policy.js';
import type { ListQuery } from '../list-query.js';
import { parseApiDate } from '../time.js';

export type WebhookFilter = 'enabled' | 'website_id';
export type DeliveryFilter = 'status' | 'event_type' | 'from' | 'to';

export type ContentType = 'application/json' | 'application/x-www-form-urlencoded';
export type Compat = 'standard' | 'iadvize';
export type PayloadFormat = 'v2' | 'push';

/** A subscription with its JSON columns read. */
export interface WebhookRecord
  extends Omit<WebhookRow, 'events' | 'website_ids' | 'content_type' | 'compat' | 'format'> {
  events: string[];
  website_ids: number[];
  content_type: ContentType;
  compat: Compat;
  format: PayloadFormat;
}

export function readWebhook(row: WebhookRow): WebhookRecord {
  return {
    ...row,
    events: JSON.parse(row.events) as string[],
    website_ids: JSON.parse(row.website_ids) as number[],
    content_type:
      row.content_type === 'application/x-www-form-urlencoded'
        ? 'application/x-www-form-urlencoded'
        : 'application/json',
    compat: row.compat === 'iadvize' ? 'iadvize' : 'standard',
    format: row.format === 'push' ? 'push' : 'v2',
  };
}

export function listWebhookIds(
  db: Kysely<Database>,
  principal: Principal,
  query: ListQuery<WebhookFilter>,
): Promise<IdPage> {
  // Retired subscriptions (their app uninstalled) are gone for the API: only their last deliveries remain.
  let matches = db
    .selectFrom('webhook')
    .select('id')
    .where(clientScope(principal, 'webhook.client_id'))
    .where('retired_at', 'is', null);
  if (typeof query.filters.enabled === 'boolean')
    matches = matches.where('enabled', '=', query.filters.enabled ? 1 : 0);
  return pageOfIds(db, matches, query.page, query.limit);
}

export async function loadWebhooks(
  db: Kysely<Database> | Transaction<Database>,
  principal: Principal,
  ids: number[],
): Promise<WebhookRecord[]> {
  if (ids.length === 0) return [];
  const rows = await db
    .selectFrom('webhook')
    .selectAll()
    .where('id', 'in', ids)
    .where(clientScope(principal, 'webhook.client_id'))
    .where('retired_at', 'is', null)
    .execute();
  return inIdOrder(ids, rows.map(readWebhook));
}

export function listDeliveryIds(
  db: Kysely<Database>,
  webhookId: number,
  query: ListQuery<DeliveryFilter>,
): Promise<IdPage> {
  let matches = db.selectFrom('webhook_delivery').select('id').where('webhook_id', '=', webhookId);
  const { status, event_type, from, to } = query.filters;
  if (typeof status === 'string') matches = matches.where('status', '=', status);
  if (typeof event_type === 'string') matches = matches.where('event_type', '=', event_type);
  const fromDate = typeof from === 'string' ? parseApiDate(from) : null;
  const toDate = typeof to === 'string' ? parseApiDate(to) : null;
  if (fromDate) matches = matches.where('created_at', '>=', fromDate.start.toISOString());
  if (toDate) matches = matches.where('created_at', '<', toDate.endExclusive.toISOString());
  return pageOfIds(db, matches, query.page, query.limit);
}

/** Delivery attempts of one subscription (already checked visible). */
export async function loadDeliveries(
  db: Kysely<Database>,
  webhookId: number,
  ids: number[],
): Promise<WebhookDeliveryRow[]> {
  if (ids.length === 0) return [];
  const rows = await db
    .selectFrom('webhook_delivery')
    .selectAll()
    .where('id', 'in', ids)
    .where('webhook_id', '=', webhookId)
    .execute();
  return inIdOrder(ids, rows);
}
