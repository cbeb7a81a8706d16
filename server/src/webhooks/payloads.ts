// The one table from log events to webhook bodies: seed 003's payload fields (v2) and the deprecated Push API format.
import { createHash } from 'node:crypto';
import { VISITOR_PROFILE_FIELDS } from '../db/schema.js';
import { EVENT_DOMAINS, type EventType } from '../events/catalogue.js';
import { formatDateTime } from '../time.js';

/** A committed log event as the webhook layer reads it. */
export interface WebhookSource {
  id: number;
  type: string;
  clientId: number;
  payload: Record<string, unknown>;
  createdAt: string;
  /** The visitor's unique id (seed 003's `visitorId` is that string), resolved once at fan-out. */
  visitorUid: string | null;
  /** What the Push API's conversation events carry beyond the event: resolved at fan-out for `push` subscriptions. */
  push?: PushContext;
}

/** A conversation event's Push API extras: seed 003's `group_id` and `custom_data` of `conversation.start`. */
export interface PushContext {
  /** The group of the operator the conversation was routed to; null while it has no operator (or they no group). */
  groupId: number | null;
  /** The visitor's profile fields that are set (PUSH_CUSTOM_DATA_FIELDS), by their seed 003 names. */
  customData: Record<string, string>;
}

/** The visitor's profile fields that push payloads carry in `custom_data`. */
export const PUSH_CUSTOM_DATA_FIELDS = VISITOR_PROFILE_FIELDS;

type Fields = (source: WebhookSource) => Record<string, unknown>;
interface PushMapping {
  name: string;
  parameters: (source: WebhookSource) => Record<string, unknown>;
}
interface WebhookMapping {
  /** Fields after `eventId`, `eventType`, `platform` and before `createdAt`, `sentAt`, in seed order. */
  fields: Fields;
  /** The Push API (deprecated) name and parameters, for subscriptions with `format: push`. */
  push?: PushMapping;
}

const num = (value: unknown): number | null => (typeof value === 'number' ? value : null);
const text = (value: unknown): string | null => (typeof value === 'string' ? value : null);

const conversationFields: Fields = (s) => ({
  websiteId: num(s.payload.websiteId),
  clientId: s.clientId,
  conversationId: num(s.payload.conversationId),
  operatorId: num(s.payload.operatorId),
  channel: text(s.payload.channel),
  visitorId: s.visitorUid,
});
/** A provider's error `{code, message}` as stored in the event, or null. */
const providerError = (value: unknown): { code: string; message: string } | null => {
  if (typeof value !== 'object' || value === null) return null;
  const { code, message } = value as { code?: unknown; message?: unknown };
  return typeof code === 'string' ? { code, message: typeof message === 'string' ? message : '' } : null;
};
const userFields: Fields = (s) => ({ clientId: s.clientId, userId: num(s.payload.userId) });
const connectorFields: Fields = (s) => ({
  websiteId: num(s.payload.websiteId),
  connectorId: text(s.payload.connectorId),
  connectorVersionId: text(s.payload.connectorVersionId),
});
/** Push API `type`: chat, call or video; other channels (whatsapp, sms…) are given as they are. */
const pushConversation = (s: WebhookSource) => ({
  conversation_id: num(s.payload.conversationId),
  type: text(s.payload.channel) ?? 'chat',
  operator_id: num(s.payload.operatorId),
  website_id: num(s.payload.websiteId),
  group_id: s.push?.groupId ?? null,
});

/**
 * Every event a subscription can receive. Names and fields of seed 003 first (connector.* are sent when a client
 * installs or uninstalls an app of the marketplace, one per website: domain/apps/), then what integrators expect.
 */
export const WEBHOOK_PAYLOADS = {
  'conversation.started': {
    fields: conversationFields,
    push: {
      name: 'conversation.start',
      parameters: (s) => ({ ...pushConversation(s), custom_data: s.push?.customData ?? {} }),
    },
  },
  'conversation.closed': {
    // With the answers to an installed app's closing form when the operator gave some (docs/APPS.md).
    fields: (s) => ({
      ...conversationFields(s),
      ...(s.payload.closingAnswers !== undefined && { closingAnswers: s.payload.closingAnswers }),
    }),
    push: { name: 'conversation.end', parameters: pushConversation },
  },
  'visitor.updated': {
    fields: (s) => ({ clientId: s.clientId, operatorId: num(s.payload.operatorId), visitorId: s.visitorUid }),
  },
  'user.created': { fields: userFields },
  'user.updated': { fields: userFields },
  'satisfaction.filled': {
    fields: (s) => ({
      websiteId: num(s.payload.websiteId),
      clientId: s.clientId,
      conversationId: num(s.payload.conversationId),
      operatorId: num(s.payload.operatorId),
      visitorId: s.visitorUid,
      score: num(s.payload.score),
    }),
  },
  'user.connected': {
    fields: userFields,
    push: { name: 'operator.login', parameters: (s) => ({ operator_id: num(s.payload.userId) }) },
  },
  'user.disconnected': {
    fields: userFields,
    push: { name: 'operator.logout', parameters: (s) => ({ operator_id: num(s.payload.userId) }) },
  },
  'connector.installed': { fields: connectorFields },
  'connector.uninstalled': { fields: connectorFields },
  'message.created': {
    fields: (s) => ({ ...conversationFields(s), messageSeq: num(s.payload.seq), messageType: text(s.payload.type) }),
  },
  // A WhatsApp, SMS or RCS reply's delivery state changed (queued → sent → delivered → read, or failed).
  'message.status_changed': {
    fields: (s) => ({
      ...conversationFields(s),
      source: text(s.payload.source),
      channelId: num(s.payload.channelId),
      messageSeq: num(s.payload.seq),
      state: text(s.payload.state),
      error: providerError(s.payload.error),
    }),
  },
  'conversation.transferred': {
    fields: (s) => ({
      ...conversationFields(s),
      operatorId: num(s.payload.toOperatorId),
      fromOperatorId: num(s.payload.fromOperatorId),
      toOperatorId: num(s.payload.toOperatorId),
      queued: s.payload.queued === true,
    }),
  },
  'transaction.created': {
    fields: (s) => ({
      websiteId: num(s.payload.websiteId),
      clientId: s.clientId,
      conversationId: num(s.payload.conversationId),
      operatorId: num(s.payload.operatorId),
      transactionId: num(s.payload.transactionId),
      amount: num(s.payload.amount),
      currency: text(s.payload.currency),
      externalId: text(s.payload.externalId),
    }),
  },
  'webhook.disabled': {
    fields: (s) => ({ clientId: s.clientId, webhookId: num(s.payload.webhookId), reason: text(s.payload.reason) }),
  },
} satisfies Partial<Record<EventType, WebhookMapping>>;

export type WebhookEventName = keyof typeof WEBHOOK_PAYLOADS;

const PROVISIONING = 'Provisioning of partners, clients and keys: not part of a client’s activity.';
const SETTINGS = 'A settings change made through the API or the console, whose caller has the answer.';
const LIVE = 'Live routing and presence detail, pushed to operators’ consoles; not among seed 003’s webhook events.';
const COMMERCE = 'Commerce activity (seed 001): read it through the commerce API; flows react to it.';
const NOT_OFFERED = 'Not among seed 003’s webhook events; read it through the API.';
const MESSAGING =
  'Issue 19’s state changes: delivered to the owner’s messaging callback (/api/messaging/system/callback).';

/**
 * The events of the catalogue no subscription receives, and why. With WEBHOOK_PAYLOADS it names every event exactly
 * once — the typecheck refuses an event in neither or in both — and docs/WEBHOOKS.md lists both (events/catalogue.test.ts).
 */
export const EVENTS_NOT_SENT: Record<Exclude<EventType, WebhookEventName>, string> = {
  'partner.created': PROVISIONING,
  'client.created': PROVISIONING,
  'client.updated': PROVISIONING,
  'api_key.created': PROVISIONING,
  'api_key.revoked': PROVISIONING,
  'website.created': SETTINGS,
  'website.updated': SETTINGS,
  'user.deleted': SETTINGS,
  'user.profile_updated': SETTINGS,
  'group.created': SETTINGS,
  'group.updated': SETTINGS,
  'group.deleted': SETTINGS,
  'skill.created': SETTINGS,
  'skill.updated': SETTINGS,
  'skill.deleted': SETTINGS,
  'channel.created': SETTINGS,
  'channel.updated': SETTINGS,
  'channel.deleted': SETTINGS,
  'tag.created': SETTINGS,
  'tag.updated': SETTINGS,
  'app_installation.updated': SETTINGS,
  'webhook.created': SETTINGS,
  'webhook.updated': SETTINGS,
  'webhook.deleted': SETTINGS,
  'webhook.secret_rotated': SETTINGS,
  'targeting_rule.created': SETTINGS,
  'targeting_rule.updated': SETTINGS,
  'targeting_rule.deleted': SETTINGS,
  'canned_response.created': SETTINGS,
  'canned_response.updated': SETTINGS,
  'canned_response.deleted': SETTINGS,
  'commerce_settings.updated': SETTINGS,
  'shopify_store.created': SETTINGS,
  'shopify_store.updated': SETTINGS,
  'shopify_store.deleted': SETTINGS,
  'commerce.order.created': COMMERCE,
  'flow.created': SETTINGS,
  'flow.updated': SETTINGS,
  'flow.deleted': SETTINGS,
  'commerce_merchant.updated': SETTINGS,
  'commerce_prices.updated': SETTINGS,
  'commerce.request.created': COMMERCE,
  'flow.run.ended': COMMERCE,
  'commerce.charge.created': COMMERCE,
  'messaging.company_status': MESSAGING,
  'messaging.account_status': MESSAGING,
  'messaging.agent_status': MESSAGING,
  'messaging.tester_status': MESSAGING,
  'messaging.template_status': MESSAGING,
  'messaging.messenger_report': MESSAGING,
  'messaging.messenger_inbound': MESSAGING,
  'messaging.broadcast_status': MESSAGING,
  'user.availability_changed': LIVE,
  'conversation.queued': LIVE,
  'conversation.assigned': LIVE,
  'conversation.missed': LIVE,
  'conversation.abandoned': LIVE,
  'conversation.updated': NOT_OFFERED,
  'conversation.problem_reported': NOT_OFFERED,
  'conversation.transcript_requested': NOT_OFFERED,
  'visitor.created': NOT_OFFERED,
  'visitor.deleted': NOT_OFFERED,
  'call_meeting.created': NOT_OFFERED,
  'call_meeting.updated': NOT_OFFERED,
};
export const WEBHOOK_EVENT_NAMES = Object.keys(WEBHOOK_PAYLOADS) as WebhookEventName[];
const PUSH_EVENT_NAMES = WEBHOOK_EVENT_NAMES.filter(
  (name) => (WEBHOOK_PAYLOADS[name] as WebhookMapping).push !== undefined,
);

export function isWebhookEvent(type: string): type is WebhookEventName {
  return Object.hasOwn(WEBHOOK_PAYLOADS, type);
}

/** Every name and domain a subscription's `events` may list. */
export const EVENT_SELECTORS = ['*', ...Object.keys(EVENT_DOMAINS), ...WEBHOOK_EVENT_NAMES];

/** The event names a subscription's selectors cover; `push` subscriptions only ever get the four Push API events. */
export function resolveSelectors(selectors: readonly string[], format: 'v2' | 'push'): Set<WebhookEventName> {
  const names = new Set<WebhookEventName>();
  for (const selector of selectors) {
    if (selector === '*') for (const name of WEBHOOK_EVENT_NAMES) names.add(name);
    else if (Object.hasOwn(EVENT_DOMAINS, selector))
      for (const name of (EVENT_DOMAINS[selector] ?? []).filter(isWebhookEvent)) names.add(name);
    else if (isWebhookEvent(selector)) names.add(selector);
  }
  if (format === 'push') for (const name of names) if (!PUSH_EVENT_NAMES.includes(name)) names.delete(name);
  return names;
}

/** `2026-11-21T13:07:05.123Z` → `2026-11-21T13:07:05+00:00` (seed 003: ISO 8601 with offset). */
export function isoWithOffset(instant: string): string {
  return `${instant.slice(0, 19)}+00:00`;
}

/** A UUID derived from the event id: the same event always shows the same `eventId`, across retries and replays. */
export function eventUuid(eventId: number): string {
  const hex = createHash('sha256').update(`causerie-event:${eventId}`).digest('hex');
  // Shaped as a version-8 (custom) RFC 9562 UUID.
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${((parseInt(hex.slice(16, 17), 16) & 3) | 8).toString(16)}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** The JSON object sent for one event, or null when this format has nothing for it. */
export function webhookBody(
  source: WebhookSource,
  format: 'v2' | 'push',
  sentAt: string,
): Record<string, unknown> | null {
  if (!isWebhookEvent(source.type)) return null;
  const mapping: WebhookMapping = WEBHOOK_PAYLOADS[source.type];
  if (format === 'push') {
    if (!mapping.push) return null;
    return {
      name: mapping.push.name,
      datetime: { created: formatDateTime(source.createdAt), sent: formatDateTime(sentAt) },
      parameters: mapping.push.parameters(source),
    };
  }
  return {
    eventId: eventUuid(source.id),
    eventType: source.type,
    platform: 'causerie',
    ...mapping.fields(source),
    createdAt: isoWithOffset(source.createdAt),
    sentAt: isoWithOffset(sentAt),
  };
}

/** The body as sent: JSON, or seed 003's form encoding (nested objects as `datetime[created]=…`). */
export function encodeBody(
  body: Record<string, unknown>,
  contentType: 'application/json' | 'application/x-www-form-urlencoded',
): string {
  if (contentType === 'application/json') return JSON.stringify(body);
  const pairs = new URLSearchParams();
  const add = (prefix: string, value: unknown): void => {
    if (value !== null && typeof value === 'object') {
      for (const [key, inner] of Object.entries(value)) add(`${prefix}[${key}]`, inner);
    } else {
      pairs.append(prefix, value === null || value === undefined ? '' : String(value));
    }
  };
  for (const [key, value] of Object.entries(body)) add(key, value);
  return pairs.toString();
}

/** The website ids an event concerns (empty: not about a website, so every subscription of the client may get it). */
export function eventWebsites(payload: Record<string, unknown>): number[] {
  if (typeof payload.websiteId === 'number') return [payload.websiteId];
  if (Array.isArray(payload.websiteIds)) return payload.websiteIds.filter((id): id is number => typeof id === 'number');
  return [];
}
