// Turns committed events into delivery rows: claims outbox rows and fans each event out to the matching subscriptions.
import { randomUUID } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import type { Dialect } from '../db/dialect.js';
import type { Database, EventRow, WebhookDeliveryRow } from '../db/schema.js';
import { transact } from '../events/transact.js';
import { fanOutToCallbacks } from './callbacks.js';
import {
  encodeBody,
  eventWebsites,
  isWebhookEvent,
  PUSH_CUSTOM_DATA_FIELDS,
  type PushContext,
  resolveSelectors,
  type WebhookSource,
  webhookBody,
} from './payloads.js';
import { readWebhook, type WebhookRecord } from './store.js';

type Db = Kysely<Database> | Transaction<Database>;

/** Outbox rows fanned out per transaction. */
export const DISPATCH_BATCH = 500;
/** Events one range replay may queue. */
export const REPLAY_LIMIT = 10_000;

/** Conversation events the Push API sends, whose `group_id` and `custom_data` are read at fan-out. */
const PUSH_CONVERSATION_EVENTS: ReadonlySet<string> = new Set(['conversation.started', 'conversation.closed']);

/**
 * The Push API's extras of conversation events, by event id: the group of the conversation's operator and the
 * visitor's profile fields that are set, read now (a replay reads them again), two queries for the whole batch.
 */
async function pushContexts(
  db: Db,
  events: ReadonlyArray<{ event: EventRow; payload: Record<string, unknown> }>,
): Promise<Map<number, PushContext>> {
  const concerned = events.filter(({ event }) => PUSH_CONVERSATION_EVENTS.has(event.type));
  const contexts = new Map<number, PushContext>();
  if (concerned.length === 0) return contexts;
  const ids = (name: string) => [
    ...new Set(concerned.map(({ payload }) => payload[name]).filter((id): id is number => typeof id === 'number')),
  ];
  const operatorIds = ids('operatorId');
  const visitorIds = ids('visitorId');
  const groups = new Map<number, number | null>();
  if (operatorIds.length > 0)
    for (const row of await db
      .selectFrom('operator')
      .select(['id', 'group_id'])
      .where('id', 'in', operatorIds)
      .execute())
      groups.set(row.id, row.group_id);
  const customData = new Map<number, Record<string, string>>();
  if (visitorIds.length > 0)
    for (const row of await db
      .selectFrom('visitor')
      .select(['id', ...PUSH_CUSTOM_DATA_FIELDS])
      .where('id', 'in', visitorIds)
      .execute()) {
      const data: Record<string, string> = {};
      for (const name of PUSH_CUSTOM_DATA_FIELDS) {
        const value = row[name];
        if (value !== null && value !== '') data[name] = value;
      }
      customData.set(row.id, data);
    }
  for (const { event, payload } of concerned)
    contexts.set(event.id, {
      groupId: typeof payload.operatorId === 'number' ? (groups.get(payload.operatorId) ?? null) : null,
      customData: typeof payload.visitorId === 'number' ? (customData.get(payload.visitorId) ?? {}) : {},
    });
  return contexts;
}

/**
 * Reads log events as webhook sources, resolving visitors' unique ids (seed 003's `visitorId`) in one query, and the
 * Push API's extras when `forPush` (a `push` subscription is among the receivers).
 */
async function sourcesOf(db: Db, events: readonly EventRow[], forPush = false): Promise<WebhookSource[]> {
  const parsed = events.map((event) => ({ event, payload: JSON.parse(event.payload) as Record<string, unknown> }));
  const missing = new Set<number>();
  for (const { payload } of parsed) {
    if (
      typeof payload.visitorUid !== 'string' &&
      typeof payload.unique_id !== 'string' &&
      typeof payload.visitorId === 'number'
    )
      missing.add(payload.visitorId);
  }
  const uids = new Map<number, string>();
  if (missing.size > 0) {
    for (const row of await db
      .selectFrom('visitor')
      .select(['id', 'unique_id'])
      .where('id', 'in', [...missing])
      .execute())
      uids.set(row.id, row.unique_id);
  }
  const push = forPush ? await pushContexts(db, parsed) : new Map<number, PushContext>();
  return parsed.map(({ event, payload }) => {
    const uid =
      typeof payload.visitorUid === 'string'
        ? payload.visitorUid
        : typeof payload.unique_id === 'string'
          ? payload.unique_id
          : typeof payload.visitorId === 'number'
            ? (uids.get(payload.visitorId) ?? null)
            : null;
    return {
      id: event.id,
      type: event.type,
      clientId: event.client_id ?? 0,
      payload,
      createdAt: event.created_at,
      visitorUid: uid,
      push: push.get(event.id),
    };
  });
}

/** True when the subscription wants this event: its name is selected and, for an event about a website, the website is listed. */
export function subscriptionMatches(webhook: WebhookRecord, source: WebhookSource): boolean {
  if (!isWebhookEvent(source.type) || !resolveSelectors(webhook.events, webhook.format).has(source.type)) return false;
  if (webhook.website_ids.length === 0) return true;
  const websites = eventWebsites(source.payload);
  return websites.length === 0 || websites.some((id) => webhook.website_ids.includes(id));
}

/** The first attempt of one event to one subscription; the correlation id is kept by every retry and replay. */
export function firstAttempt(
  webhook: WebhookRecord,
  source: WebhookSource,
  at: string,
  correlationId: string = randomUUID(),
) {
  const body = webhookBody(source, webhook.format, at);
  if (body === null) return null;
  return {
    webhook_id: webhook.id,
    client_id: webhook.client_id,
    event_id: source.id,
    event_type: source.type,
    conversation_id: typeof source.payload.conversationId === 'number' ? source.payload.conversationId : null,
    correlation_id: correlationId,
    delivery_uuid: randomUUID(),
    attempt: 1,
    status: 'pending',
    request_body: encodeBody(body, webhook.content_type),
    content_type: webhook.content_type,
    created_at: at,
    next_attempt_at: at,
  };
}

async function insertDeliveries(
  trx: Db,
  rows: ReadonlyArray<NonNullable<ReturnType<typeof firstAttempt>>>,
): Promise<void> {
  for (let start = 0; start < rows.length; start += 200)
    await trx
      .insertInto('webhook_delivery')
      .values(rows.slice(start, start + 200))
      .execute();
}

/** Fans events out to the given subscriptions; returns the delivery rows queued. Runs inside the caller's transaction. */
async function fanOut(
  trx: Db,
  events: readonly EventRow[],
  webhooks: readonly WebhookRecord[],
  at: string,
  correlations?: ReadonlyMap<number, string>,
): Promise<number> {
  if (events.length === 0 || webhooks.length === 0) return 0;
  const rows = [];
  const forPush = webhooks.some((webhook) => webhook.format === 'push');
  for (const source of await sourcesOf(trx, events, forPush)) {
    for (const webhook of webhooks) {
      if (webhook.client_id !== source.clientId || !subscriptionMatches(webhook, source)) continue;
      // A retired subscription (its app uninstalled) hears nothing after its installation's connector.uninstalled.
      if (webhook.retired_at !== null && (webhook.retired_by_event === null || source.id > webhook.retired_by_event))
        continue;
      const row = firstAttempt(webhook, source, at, correlations?.get(source.id));
      if (row) rows.push(row);
    }
  }
  await insertDeliveries(trx, rows);
  return rows.length;
}

/**
 * Claims up to DISPATCH_BATCH outbox rows (FOR UPDATE SKIP LOCKED on PostgreSQL, so nodes share the work), queues
 * their deliveries and deletes them, in the caller's transaction: a crash redoes the whole batch, never half of it.
 * Returns the outbox rows handled.
 */
export async function dispatchOutbox(trx: Transaction<Database>, dialect: Dialect, at: string): Promise<number> {
  let claim = trx.selectFrom('webhook_outbox').select(['id', 'event_id']).orderBy('id').limit(DISPATCH_BATCH);
  if (dialect === 'postgres') claim = claim.forUpdate().skipLocked();
  const claimed = await claim.execute();
  if (claimed.length === 0) return 0;
  const events = await trx
    .selectFrom('event')
    .selectAll()
    .where(
      'id',
      'in',
      claimed.map((row) => row.event_id),
    )
    .orderBy('id')
    .execute();
  const clientIds = [...new Set(events.map((event) => event.client_id).filter((id): id is number => id !== null))];
  const firstEventId = events[0]?.id ?? 0;
  // The live subscriptions, and the retired ones (their app uninstalled, see domain/apps/installations.ts) still owed
  // an event of this batch: their installation's connector.uninstalled, or an event committed before it.
  const webhooks =
    clientIds.length === 0
      ? []
      : (
          await trx
            .selectFrom('webhook')
            .selectAll()
            .where('client_id', 'in', clientIds)
            .where((eb) =>
              eb.or([
                eb.and([eb('enabled', '=', 1), eb('retired_at', 'is', null)]),
                eb.and([eb('retired_at', 'is not', null), eb('retired_by_event', '>=', firstEventId)]),
              ]),
            )
            .orderBy('id')
            .execute()
        ).map(readWebhook);
  await fanOut(trx, events, webhooks, at);
  await fanOutToCallbacks(trx, events, at);
  await trx
    .deleteFrom('webhook_outbox')
    .where(
      'id',
      'in',
      claimed.map((row) => row.id),
    )
    .execute();
  return claimed.length;
}

/**
 * Queues the events of a period again for one subscription, from the event log. An event already delivered to it
 * keeps its correlation id (and so its webhook-id), so receivers de-duplicate replays like retries. Returns how many.
 */
export async function replayRange(
  db: Kysely<Database>,
  webhook: WebhookRecord,
  from: string,
  toExclusive: string,
  at: string,
): Promise<number> {
  return transact(db, async (trx) => {
    const events = await trx
      .selectFrom('event')
      .selectAll()
      .where('client_id', '=', webhook.client_id)
      .where('created_at', '>=', from)
      .where('created_at', '<', toExclusive)
      .where('type', 'in', [...resolveSelectors(webhook.events, webhook.format)])
      .orderBy('id')
      .limit(REPLAY_LIMIT)
      .execute();
    const correlations = new Map<number, string>();
    for (let start = 0; start < events.length; start += 500) {
      const known = await trx
        .selectFrom('webhook_delivery')
        .select(['event_id', 'correlation_id'])
        .where('webhook_id', '=', webhook.id)
        .where(
          'event_id',
          'in',
          events.slice(start, start + 500).map((event) => event.id),
        )
        .execute();
      for (const row of known) correlations.set(row.event_id, row.correlation_id);
    }
    return fanOut(trx, events, [webhook], at, correlations);
  });
}

/** Sends one logged delivery again as a new attempt of the same event and subscription (same correlation and webhook-id). */
export async function replayDelivery(db: Kysely<Database>, delivery: WebhookDeliveryRow, at: string): Promise<number> {
  return transact(db, async (trx) => {
    const last = await trx
      .selectFrom('webhook_delivery')
      .select((eb) => eb.fn.max('attempt').as('attempt'))
      .where('correlation_id', '=', delivery.correlation_id)
      .executeTakeFirstOrThrow();
    const { id } = await trx
      .insertInto('webhook_delivery')
      .values({
        webhook_id: delivery.webhook_id,
        client_id: delivery.client_id,
        event_id: delivery.event_id,
        event_type: delivery.event_type,
        conversation_id: delivery.conversation_id,
        callback_id: delivery.callback_id,
        // A replayed report keeps its resource's lane: it goes in order with that message's other reports.
        lane_key: delivery.lane_key,
        correlation_id: delivery.correlation_id,
        delivery_uuid: randomUUID(),
        attempt: Number(last.attempt ?? delivery.attempt) + 1,
        status: 'pending',
        request_body: delivery.request_body,
        content_type: delivery.content_type,
        created_at: at,
        next_attempt_at: at,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    return id;
  });
}
