// Messaging callbacks (issue 19 `/system/callback`) on the webhook machinery: which events they carry, their body
// `{type, id, state, previous_state, reason, at, data}`, and the delivery rows the outbox fan-out queues for them. The
// webhook worker then sends, signs, retries and logs them like any subscription's.
import { randomUUID } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import { openText, sealText } from '../channels/secrets.js';
import type { Database, EventRow, MessagingCallbackRow } from '../db/schema.js';
import { SECRET_PREFIX } from './signing.js';
import type { WebhookRecord } from './store.js';

type Db = Kysely<Database> | Transaction<Database>;

/** Event type → the callback's `type`, in the seed's style. */
export const CALLBACK_TYPES: Readonly<Record<string, string>> = {
  'messaging.company_status': 'COMPANY_STATUS',
  'messaging.account_status': 'ACCOUNT_STATUS',
  'messaging.agent_status': 'AGENT_STATUS',
  'messaging.tester_status': 'TESTER_STATUS',
  'messaging.template_status': 'TEMPLATE_STATUS',
  'messaging.messenger_report': 'MESSENGER_REPORT',
  'messaging.messenger_inbound': 'MESSENGER_INBOUND',
  'messaging.broadcast_status': 'BROADCAST_STATUS',
};
/** The event type of a delivery row for the test event sent when a callback is registered (no log event). */
export const CALLBACK_TEST_EVENT = 'messaging.callback_test';

/** Events the outbox always queues (whoever their client is): the callback fan-out decides who receives them. */
export function isCallbackEvent(type: string): boolean {
  return Object.hasOwn(CALLBACK_TYPES, type);
}

export interface CallbackBody {
  type: string;
  id: number;
  state: string;
  previous_state: string | null;
  reason: string | null;
  at: string;
  data: Record<string, unknown>;
}

interface StatusPayload {
  owner: { kind: 'partner' | 'client'; id: number };
  resourceId: number;
  state: string;
  previousState: string | null;
  reason: string | null;
  data: Record<string, unknown>;
}

const binding = (callbackId: number) => `messaging_callback:${callbackId}`;

/** The secret as stored: sealed with the secrets key, bound to its callback row. */
export function sealCallbackSecret(key: Buffer, callbackId: number, secret: string): string {
  return sealText(key, binding(callbackId), secret);
}

export function openCallbackSecret(key: Buffer, callbackId: number, stored: string): string {
  return stored.startsWith(SECRET_PREFIX) ? stored : openText(key, binding(callbackId), stored);
}

/**
 * A callback as the worker's sending code reads a subscription: always JSON, signed both ways (compat `standard`
 * sends X-Causerie-Signature and Standard Webhooks' webhook-signature). `id` is 0: a callback is not a subscription,
 * and the worker keys its lanes and its failure bookkeeping by `callback_id` instead.
 */
export function callbackAsWebhook(row: MessagingCallbackRow): WebhookRecord {
  return {
    id: 0,
    client_id: row.owner_kind === 'client' ? row.owner_id : 0,
    name: 'messaging callback',
    url: row.url,
    events: [],
    website_ids: [],
    content_type: 'application/json',
    compat: 'standard',
    format: 'v2',
    enabled: 1,
    disabled_reason: null,
    secret: row.secret,
    previous_secret: row.previous_secret,
    previous_secret_expires_at: row.previous_secret_expires_at,
    failing_since: null,
    created_at: row.created_at,
    updated_at: row.updated_at,
    installation_id: null,
    retired_at: null,
    retired_by_event: null,
  };
}

/**
 * The lane of a callback delivery: the resource it reports on (`MESSENGER_REPORT:42`, `TEMPLATE_STATUS:7`). The
 * worker sends one resource's deliveries one at a time in event order, and different resources' in parallel.
 */
export function callbackLaneKey(body: Pick<CallbackBody, 'type' | 'id'>): string {
  return `${body.type}:${body.id}`;
}

/** A delivery row of one body to one callback; `client_id` is the owning client, 0 for a partner's callback. */
function deliveryRow(
  callback: MessagingCallbackRow,
  eventId: number,
  eventType: string,
  body: CallbackBody,
  at: string,
  laneKey: string | null,
) {
  return {
    webhook_id: 0,
    callback_id: callback.id,
    client_id: callback.owner_kind === 'client' ? callback.owner_id : 0,
    event_id: eventId,
    event_type: eventType,
    conversation_id: null,
    lane_key: laneKey,
    correlation_id: randomUUID(),
    delivery_uuid: randomUUID(),
    attempt: 1,
    status: 'pending',
    request_body: JSON.stringify(body),
    content_type: 'application/json',
    created_at: at,
    next_attempt_at: at,
  };
}

/** Queues the `TEST` event to a callback just registered, in the registration's transaction. */
export async function queueCallbackTest(trx: Db, callback: MessagingCallbackRow, at: string): Promise<void> {
  const body: CallbackBody = {
    type: 'TEST',
    id: callback.id,
    state: 'registered',
    previous_state: null,
    reason: null,
    at,
    data: { url: callback.url, owner: { kind: callback.owner_kind, id: callback.owner_id } },
  };
  await trx
    .insertInto('webhook_delivery')
    .values(deliveryRow(callback, 0, CALLBACK_TEST_EVENT, body, at, null))
    .execute();
}

/**
 * Queues a delivery of each `messaging.*_status` event among `events` to its owner's callback, if it has one (an
 * owner without a callback receives nothing: the state stays readable through the API). Runs in the outbox
 * dispatcher's transaction; events of other types cost nothing.
 */
export async function fanOutToCallbacks(trx: Db, events: readonly EventRow[], at: string): Promise<number> {
  const concerned = events
    .filter((event) => isCallbackEvent(event.type))
    .map((event) => ({ event, payload: JSON.parse(event.payload) as StatusPayload }));
  if (concerned.length === 0) return 0;
  const callbacks = new Map<string, MessagingCallbackRow>();
  for (const kind of ['partner', 'client'] as const) {
    const ids = [...new Set(concerned.filter((c) => c.payload.owner.kind === kind).map((c) => c.payload.owner.id))];
    if (ids.length === 0) continue;
    const rows = await trx
      .selectFrom('messaging_callback')
      .selectAll()
      .where('owner_kind', '=', kind)
      .where('owner_id', 'in', ids)
      .execute();
    for (const row of rows) callbacks.set(`${kind}:${row.owner_id}`, row);
  }
  const rows = [];
  for (const { event, payload } of concerned) {
    const callback = callbacks.get(`${payload.owner.kind}:${payload.owner.id}`);
    if (callback === undefined) continue;
    const body: CallbackBody = {
      type: CALLBACK_TYPES[event.type] ?? event.type,
      id: payload.resourceId,
      state: payload.state,
      previous_state: payload.previousState,
      reason: payload.reason,
      at: event.created_at,
      data: payload.data,
    };
    rows.push(deliveryRow(callback, event.id, event.type, body, at, callbackLaneKey(body)));
  }
  if (rows.length > 0) await trx.insertInto('webhook_delivery').values(rows).execute();
  return rows.length;
}
