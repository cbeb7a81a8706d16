// The one catalogue of events: each dotted, singular name with the TypeBox schema of its payload. Webhook bodies of the
// seeds are mapped from it in webhooks/payloads.ts; docs/WEBHOOKS.md lists every name (both checked by tests).
import { type Static, type TProperties, Type } from 'typebox';

/**
 * A payload: exactly these fields. Extra fields are refused too, so a field added at one call site but not here fails
 * the typecheck (object literals) or the suite (spreads: appends are checked while the tests run, events/check.ts).
 */
const payload = <Fields extends TProperties>(fields: Fields) => Type.Object(fields, { additionalProperties: false });
const Id = Type.Integer();
const NullableId = Type.Union([Type.Integer(), Type.Null()]);
/** Names of the fields a change touched (API field names), never their values. */
const Changed = Type.Array(Type.String());
const Ids = Type.Array(Type.Integer());
const ConversationChannel = Type.Enum(['chat', 'call', 'video', 'social']);
const ConversationSource = Type.Enum(['web', 'whatsapp', 'sms', 'rcs', 'odigo', 'api']);
const CallMeetingStatus = Type.Enum(['pending', 'progress', 'done', 'failed', 'working']);

/** What every conversation event says of its conversation: enough to route, fan out and filter webhooks by website. */
const conversationFields = {
  conversationId: Id,
  websiteId: Id,
  clientId: Id,
  channel: ConversationChannel,
  visitorId: Id,
};
/** Routing's events (domain/routing/entries.ts eventBase): the conversation and the skill it waits for. */
const routedFields = { ...conversationFields, skillId: NullableId };

/** The payload of the four `messaging.*_status` events (issue 19). */
const MessagingStatus = payload({
  owner: Type.Object({ kind: Type.Enum(['partner', 'client']), id: Id }, { additionalProperties: false }),
  resourceId: Id,
  state: Type.String(),
  previousState: Type.Union([Type.String(), Type.Null()]),
  reason: Type.Union([Type.String(), Type.Null()]),
  data: Type.Record(Type.String(), Type.Unknown()),
});

export const EVENT_PAYLOADS = {
  'partner.created': payload({ name: Type.String() }),
  'client.created': payload({ name: Type.String(), lang: Type.String() }),
  'client.updated': payload({ changed: Changed }),
  'api_key.created': payload({ scope: Type.Enum(['platform', 'partner', 'client']), name: Type.String() }),
  /** The key is the event's subject; every node forgets it at once (app.ts). */
  'api_key.revoked': payload({}),
  'website.created': payload({ url: Type.String(), label: Type.String() }),
  /** `routingStrategy` when routing's own command changed it (null: back to the default). */
  'website.updated': payload({
    changed: Changed,
    routingStrategy: Type.Optional(Type.Union([Type.Enum(['least_loaded', 'round_robin']), Type.Null()])),
  }),
  'user.created': payload({ userId: Id }),
  /** `websiteId` and `linked` when an operator was linked to or unlinked from one website (`changed: ['website_list']`). */
  'user.updated': payload({
    userId: Id,
    changed: Changed,
    websiteId: Type.Optional(Id),
    linked: Type.Optional(Type.Boolean()),
  }),
  'user.deleted': payload({ userId: Id }),
  'group.created': payload({ name: Type.String() }),
  'group.updated': payload({ changed: Changed }),
  'group.deleted': payload({}),
  'skill.created': payload({ name: Type.String() }),
  'skill.updated': payload({ changed: Changed }),
  'skill.deleted': payload({}),
  'user.connected': payload({ userId: Id, operatorId: Id, sessionId: Id }),
  /** `sessionId` null when no presence session was open. */
  'user.disconnected': payload({ userId: Id, operatorId: Id, sessionId: NullableId }),
  'user.availability_changed': payload({
    userId: Id,
    operatorId: Id,
    channel: Type.Enum(['chat', 'call', 'video']),
    available: Type.Boolean(),
  }),
  'user.profile_updated': payload({ userId: Id, operatorId: Id, changed: Changed }),
  'visitor.created': payload({ visitorId: Id, unique_id: Type.String(), websiteIds: Ids }),
  'visitor.updated': payload({ visitorId: Id, unique_id: Type.String(), changed: Changed, websiteIds: Ids }),
  'visitor.deleted': payload({ visitorId: Id, unique_id: Type.String() }),
  'conversation.started': payload({
    ...conversationFields,
    operatorId: NullableId,
    visitorUid: Type.String(),
    source: ConversationSource,
    /** `waiting` for a request routing will serve, `open` when it starts with its operator (or needs none). */
    status: Type.Enum(['waiting', 'open', 'closed']),
  }),
  /** `previousOperatorId` when the operator changed, `tagList` when the tags did. */
  'conversation.updated': payload({
    ...conversationFields,
    operatorId: NullableId,
    changed: Changed,
    previousOperatorId: Type.Optional(NullableId),
    tagList: Type.Optional(Ids),
  }),
  'conversation.closed': payload({
    ...conversationFields,
    operatorId: NullableId,
    visitorUid: Type.String(),
    source: ConversationSource,
    operatorClosed: Type.Boolean(),
    /** The answers to an installed app's closing form, when the operator closed with one (domain/apps/). */
    closingAnswers: Type.Optional(
      Type.Object({
        installation_id: Id,
        app: Type.String(),
        answers: Type.Array(Type.Object({ id: Type.String(), label: Type.String(), value: Type.String() })),
      }),
    ),
  }),
  /**
   * A request waits in its website's queue: started without a free operator (web chat, WhatsApp, SMS, RCS), or sent
   * back by a transfer (`transferred: true`). `position` counts from 1.
   */
  'conversation.queued': payload({
    ...routedFields,
    position: Type.Integer({ minimum: 1 }),
    estimatedWaitSeconds: Type.Number({ minimum: 0 }),
    transferred: Type.Boolean(),
  }),
  /** `seq` of the system entry that announced the assignment; `queued` when the request had waited in the queue. */
  'conversation.assigned': payload({
    ...routedFields,
    operatorId: Id,
    waitMs: Type.Number(),
    queued: Type.Boolean(),
    seq: Id,
  }),
  /** `toOperatorId` null and `queued` true when the conversation went back to the queue. */
  'conversation.transferred': payload({
    ...routedFields,
    fromOperatorId: NullableId,
    toOperatorId: NullableId,
    /** What the transfer asked for: `{operator_id}`, `{group_id}`, `{skill_id}` or `{reason}` (a reroute). */
    target: Type.Record(Type.String(), Type.Union([Type.Integer(), Type.String()])),
    byOperatorId: NullableId,
    queued: Type.Boolean(),
  }),
  'conversation.missed': payload({
    ...routedFields,
    reason: Type.Enum(['offline', 'busy']),
    queued: Type.Boolean(),
    waitMs: Type.Number(),
  }),
  'conversation.abandoned': payload({ ...routedFields, waitMs: Type.Number() }),
  /**
   * An operator (or an API key, `operatorId` null) reported a problem on the conversation with a reason (seed 002's
   * operator statistic `problem`); a later report replaces it.
   */
  'conversation.problem_reported': payload({ ...conversationFields, operatorId: NullableId, reason: Type.String() }),
  /** The conversation's transcript was asked for by e-mail (`transcriptMailId`): the transcript worker sends it. */
  'conversation.transcript_requested': payload({
    ...conversationFields,
    transcriptMailId: Id,
    operatorId: NullableId,
  }),
  /** Ids, not the text. `outbound: true` when the entry was queued for WhatsApp, SMS or RCS in the same transaction. */
  'message.created': payload({
    ...conversationFields,
    seq: Id,
    type: Type.Enum(['operator', 'visitor', 'system', 'navigation', 'note']),
    operatorId: NullableId,
    outbound: Type.Optional(Type.Literal(true)),
  }),
  /**
   * A provider's delivery state of an outbound message: sent, delivered, read or failed with the provider's `error`;
   * or `queued` with the `error` that postponed the send (the worker tries again).
   */
  'message.status_changed': payload({
    ...conversationFields,
    source: ConversationSource,
    channelId: Id,
    operatorId: NullableId,
    seq: Id,
    state: Type.Enum(['queued', 'sent', 'delivered', 'read', 'failed']),
    error: Type.Union([Type.Object({ code: Type.String(), message: Type.String() }), Type.Null()]),
  }),
  'channel.created': payload({ channelId: Id, websiteId: Id, type: Type.Enum(['whatsapp', 'sms', 'rcs', 'chat']) }),
  'channel.updated': payload({ channelId: Id, changed: Changed }),
  'channel.deleted': payload({ channelId: Id }),
  'tag.created': payload({ tagId: Id, name: Type.String(), websiteIds: Ids }),
  'tag.updated': payload({ tagId: Id, name: Type.String(), websiteIds: Ids, changed: Changed }),
  'transaction.created': payload({
    transactionId: Id,
    websiteId: Id,
    conversationId: NullableId,
    operatorId: NullableId,
    amount: Type.Number(),
    currency: Type.Union([Type.String(), Type.Null()]),
    externalId: Type.Union([Type.String(), Type.Null()]),
  }),
  /** `visitorUid` null for an erased visitor; `score` the mean of the three notes, as a fraction. */
  'satisfaction.filled': payload({
    satisfactionId: Id,
    conversationId: Id,
    websiteId: Id,
    operatorId: NullableId,
    visitorId: Id,
    visitorUid: Type.Union([Type.String(), Type.Null()]),
    notes: Type.Object({ welcome: Type.Number(), delay: Type.Number(), resolution: Type.Number() }),
    score: Type.Number(),
  }),
  'call_meeting.created': payload({
    callMeetingId: Id,
    websiteId: Id,
    status: CallMeetingStatus,
    startAt: Type.String(),
  }),
  /** `previousStatus` and `conversationId` when a call picked up through Odigo moved the meeting on. */
  'call_meeting.updated': payload({
    callMeetingId: Id,
    websiteId: Id,
    status: CallMeetingStatus,
    startAt: Type.String(),
    changed: Changed,
    previousStatus: Type.Optional(CallMeetingStatus),
    conversationId: Type.Optional(Id),
  }),
  'webhook.created': payload({ webhookId: Id, url: Type.String(), events: Type.Array(Type.String()) }),
  'webhook.updated': payload({ webhookId: Id, changed: Changed }),
  'webhook.deleted': payload({ webhookId: Id, url: Type.String() }),
  'webhook.secret_rotated': payload({ webhookId: Id, overlapHours: Type.Number() }),
  /** A website's targeting rule (domain/targeting/): the widget reads the website's active rules with its config. */
  'targeting_rule.created': payload({ ruleId: Id, websiteId: Id, name: Type.String() }),
  'targeting_rule.updated': payload({ ruleId: Id, websiteId: Id, changed: Changed }),
  'targeting_rule.deleted': payload({ ruleId: Id, websiteId: Id }),
  /** A canned response (domain/canned/): shared by the client's operators, or one operator's own (`operatorId`). */
  'canned_response.created': payload({
    cannedResponseId: Id,
    scope: Type.Enum(['shared', 'personal']),
    operatorId: NullableId,
    shortcut: Type.String(),
  }),
  'canned_response.updated': payload({
    cannedResponseId: Id,
    scope: Type.Enum(['shared', 'personal']),
    operatorId: NullableId,
    changed: Changed,
  }),
  'canned_response.deleted': payload({
    cannedResponseId: Id,
    scope: Type.Enum(['shared', 'personal']),
    operatorId: NullableId,
  }),
  /** A subscription switched off by the platform: its receiver answered 410 (`gone`) or kept failing (`failing`). */
  'webhook.disabled': payload({
    webhookId: Id,
    reason: Type.Enum(['gone', 'failing']),
    detail: Type.String(),
    url: Type.String(),
  }),
  /** An order of a client's shop was stored (commerce API or Shopify webhook); `store` is the store's id_store. */
  'commerce.order.created': payload({
    clientId: Id,
    orderId: Id,
    userKey: Type.String(),
    source: Type.Enum(['api', 'shopify']),
    store: Type.Union([Type.String(), Type.Null()]),
  }),
  /** Whether the client takes orders (POST /api/2/commerce/settings). */
  'commerce_settings.updated': payload({ changed: Changed }),
  /** A client's Shopify store (domain/commerce/shopify-stores.ts); secrets are never in events. */
  'shopify_store.created': payload({ storeId: Id, idStore: Type.String() }),
  'shopify_store.updated': payload({ storeId: Id, idStore: Type.String(), changed: Changed }),
  'shopify_store.deleted': payload({ storeId: Id, idStore: Type.String() }),
  /** A client's flow (domain/flows/): created, or its name, trigger, activity or current version changed. */
  'flow.created': payload({ flowId: Id, code: Type.String() }),
  'flow.updated': payload({ flowId: Id, code: Type.String(), changed: Changed }),
  /** A flow deleted (domain/flows/flows.ts deleteFlow), with the runs under way it cancelled. */
  'flow.deleted': payload({ flowId: Id, code: Type.String(), cancelledRuns: Type.Integer({ minimum: 0 }) }),
  /** The merchant's endpoints (domain/commerce/merchant.ts); secrets are never in events. */
  'commerce_merchant.updated': payload({ changed: Changed }),
  'commerce_prices.updated': payload({ kinds: Type.Array(Type.String()) }),
  /** A merchant's request (seed 001 createRequest) and the run it started. */
  'commerce.request.created': payload({
    requestId: Id,
    flowCode: Type.String(),
    userKey: Type.String(),
    runId: NullableId,
  }),
  /** A flow run ended: done, failed (its error) or cancelled. */
  'flow.run.ended': payload({
    runId: Id,
    flowId: Id,
    requestId: NullableId,
    userKey: Type.String(),
    state: Type.Enum(['done', 'failed', 'cancelled']),
    error: Type.Union([Type.String(), Type.Null()]),
  }),
  'commerce.charge.created': payload({
    chargeId: Id,
    userKey: Type.String(),
    requestId: NullableId,
    runId: NullableId,
    kind: Type.String(),
    amount: Type.Number(),
    currency: Type.String(),
  }),
  /**
   * Issue 19's state changes (the partner API under /api/messaging): a company, an account, a chat environment, a
   * tester. One shape for all four: whose resource it is (the callback's owner), its id, its state and the previous
   * one, why, and details (an environment's carriers). Delivered to the owner's messaging callback.
   */
  'messaging.company_status': MessagingStatus,
  'messaging.account_status': MessagingStatus,
  'messaging.agent_status': MessagingStatus,
  'messaging.tester_status': MessagingStatus,
  /**
   * Issue 20 (the messaging half of seed 000), same shape: a template's approval state (`TEMPLATE_STATUS`, resource:
   * the template), a sent message's state (`MESSENGER_REPORT`, resource: the message; `data` carries `reference`,
   * `broadcast_id`, `to`, `channel`, `error`, and `token_id` for a read through a chat token) and a reply from a
   * recipient (`MESSENGER_INBOUND`, resource: the message replied to or 0; state `received`). Owner: the account.
   */
  'messaging.template_status': MessagingStatus,
  'messaging.messenger_report': MessagingStatus,
  'messaging.messenger_inbound': MessagingStatus,
  /** A broadcast's state (`BROADCAST_STATUS`, an extension of the seed): importing, scheduled, running, paused… */
  'messaging.broadcast_status': MessagingStatus,
  // Reserved by seed 003 (a connector store): accepted in webhook subscriptions, never appended by Causerie.
  'connector.installed': payload({ websiteId: Id, connectorId: Type.String(), connectorVersionId: Type.String() }),
  'connector.uninstalled': payload({ websiteId: Id, connectorId: Type.String(), connectorVersionId: Type.String() }),
  /**
   * An installation's field values or websites changed (PUT /api/2/installation/{id}, domain/apps/): the ids of the
   * fields whose value changed (never the values) and the websites it covers now (empty: every website).
   */
  'app_installation.updated': payload({ installationId: Id, appId: Id, websiteIds: Ids, changed: Changed }),
};

export type EventType = keyof typeof EVENT_PAYLOADS;
/** What an event of type `T` carries: the static type of its schema. */
export type EventPayload<T extends EventType> = Static<(typeof EVENT_PAYLOADS)[T]>;

export const EVENT_TYPES = Object.keys(EVENT_PAYLOADS) as EventType[];

export function isEventType(type: string): type is EventType {
  return Object.hasOwn(EVENT_PAYLOADS, type);
}

/** Webhook domains of seed 003 ("Webhook API"), for subscriptions that name a whole domain. */
export const EVENT_DOMAINS: Record<string, readonly EventType[]> = {
  'conversations.domain': ['conversation.started', 'conversation.closed', 'visitor.updated'],
  'users.domain': ['user.created', 'user.updated', 'satisfaction.filled', 'user.connected', 'user.disconnected'],
};
