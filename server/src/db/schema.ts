// Kysely table types: the shape of every row as stored (UTC ISO-8601 text times, 0/1 flags, JSON text lists).
import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';

/** 0 or 1: flags are integers so SQLite and PostgreSQL store and bind them alike. */
export type Flag = number;
/** UTC instant as ISO-8601 text (`2026-11-21T13:07:00.000Z`): sorts and compares the same on both dialects. */
export type Instant = string;

export interface PartnerTable {
  id: Generated<number>;
  name: string;
  created_at: Instant;
  updated_at: Instant;
}

export interface ClientTable {
  id: Generated<number>;
  partner_id: number | null;
  name: string;
  lang: string;
  /** IANA time zone name (`Europe/Paris`) in which the client's statistics periods are read; `UTC` by default. */
  timezone: Generated<string>;
  /** A partner-API account's state (domain/messaging/account-states.ts); null for other clients, always usable. */
  account_state: MessagingAccountState | null;
  created_at: Instant;
  updated_at: Instant;
}

export type RoutingStrategy = 'least_loaded' | 'round_robin';

export interface WebsiteTable {
  id: Generated<number>;
  client_id: number;
  url: string;
  label: string;
  created_at: Instant;
  updated_at: Instant;
  /** How live conversations pick an operator; null means the default, least loaded. */
  routing_strategy: RoutingStrategy | null;
  /** Key of the HMAC with which the site's server signs visitor identities; created on first use. */
  identity_secret: string | null;
  /** ISO 4217 code (`EUR`) of the amounts of the website's statistics; `EUR` by default. */
  currency: Generated<string>;
}

export interface OperatorTable {
  id: Generated<number>;
  client_id: number;
  name: string;
  first_name: string | null;
  pseudo: string | null;
  email: string;
  external_id: string | null;
  /** JSON array of `expert`, `operator`, `manager`, `admin`. */
  roles: string;
  chat_enabled: Flag;
  call_enabled: Flag;
  video_enabled: Flag;
  chat_max_number: number;
  chat_and_call: Flag;
  chat_priority: number;
  call_priority: number;
  video_priority: number;
  /** JSON array of ISO 639-1 codes. */
  language_list: string;
  language_admin: string;
  group_id: number | null;
  password_hash: string | null;
  /** Hex SHA-256 of the operator's SSO key (domain/people/sso-keys.ts); the key itself is shown once, never kept. */
  sso_key_hash: string;
  /** Presence and availability: maintained by the live-conversation layer, 0 when created. */
  connected: Generated<Flag>;
  chat_available: Generated<Flag>;
  call_available: Generated<Flag>;
  video_available: Generated<Flag>;
  created_at: Instant;
  updated_at: Instant;
  /** Operators are soft-deleted so past conversations keep their operator. */
  deleted_at: Instant | null;
  /** When routing last gave this operator a conversation: round-robin order and idle-time ties. */
  last_assigned_at: Instant | null;
}

export interface OperatorWebsiteTable {
  operator_id: number;
  website_id: number;
}

export interface OperatorSkillTable {
  operator_id: number;
  skill_id: number;
}

export interface OperatorGroupTable {
  id: Generated<number>;
  client_id: number;
  name: string;
  parent_id: number | null;
  created_at: Instant;
  updated_at: Instant;
}

export interface SkillTable {
  id: Generated<number>;
  client_id: number;
  name: string;
  sort_order: Generated<number>;
  parent_id: number | null;
  created_at: Instant;
  updated_at: Instant;
}

export type ApiKeyScope = 'platform' | 'partner' | 'client';

export interface ApiKeyTable {
  id: Generated<number>;
  /** The public half of the key, used to find the row; the secret half is only stored hashed. */
  public_id: string;
  secret_hash: string;
  scope: ApiKeyScope;
  partner_id: number | null;
  client_id: number | null;
  name: string;
  created_at: Instant;
  last_used_at: Instant | null;
  revoked_at: Instant | null;
}

export interface VisitorTable {
  id: Generated<number>;
  client_id: number;
  /** The visitor unique id (`vuid`, seed 003's `visitor_uid`): one browser, or one phone number on a messaging channel. */
  unique_id: string;
  external_id: string | null;
  lastname: string | null;
  firstname: string | null;
  address: string | null;
  city: string | null;
  zip: string | null;
  country: string | null;
  phone: string | null;
  email: string | null;
  browser: string | null;
  created_at: Instant;
  updated_at: Instant;
  /** Deleting a visitor erases its personal fields and sets this; its conversations stay for statistics. */
  deleted_at: Instant | null;
  /** JSON object of text values (custom attributes of the contact), `{}` when none. */
  custom_attributes: Generated<string>;
  /** Set when merged into another visitor: its unique id then finds that one, and the API no longer shows it. */
  merged_into_id: Generated<number | null>;
}

export interface VisitorWebsiteTable {
  visitor_id: number;
  website_id: number;
}

/** Seed 003 channels. */
export type ConversationChannel = 'chat' | 'call' | 'video' | 'social';
/** Where a conversation came from: the web widget, a messaging network, a telephony callback, or an API import. */
export type ConversationSource = 'web' | 'whatsapp' | 'sms' | 'rcs' | 'odigo' | 'api';
/** What a site tells about its visitor (seed 003's visitor resource less ids, dates and browser), in the seed's order. */
export const VISITOR_PROFILE_FIELDS = [
  'external_id',
  'lastname',
  'firstname',
  'address',
  'city',
  'zip',
  'country',
  'phone',
  'email',
] as const;

export type ConversationStatus = 'waiting' | 'open' | 'closed';

/**
 * The statuses of a conversation not closed, for `status in (…)`: unlike `status != 'closed'`, it seeks the
 * (operator_id, status) index instead of reading every conversation an operator ever had.
 */
export const NOT_CLOSED: readonly ConversationStatus[] = ['waiting', 'open'];

export interface ConversationTable {
  id: Generated<number>;
  client_id: number;
  website_id: number;
  channel: ConversationChannel;
  source: ConversationSource;
  visitor_id: number;
  operator_id: number | null;
  skill_id: number | null;
  /** Targeting rule that started the conversation, when one did (rules are not a resource yet). */
  rule_id: number | null;
  status: ConversationStatus;
  operator_answer: Generated<Flag>;
  operator_closed: Generated<Flag>;
  waitinglist: Generated<Flag>;
  page_type: string | null;
  /** Who started it (docs/TARGETING.md): the visitor, an accepted targeting invitation, or an operator or the API. */
  contact_type: Generated<ContactType>;
  user_agent: string | null;
  phone_number: string | null;
  /** A UUID, seed 003's `xmpp_id`: a stable opaque id for integrations. */
  xmpp_id: string;
  /** Highest `seq` allocated in this conversation; incremented inside each writing transaction. */
  last_seq: Generated<number>;
  created_at: Instant;
  answered_at: Instant | null;
  closed_at: Instant | null;
  updated_at: Instant;
  /** When the conversation entered the waiting queue (null if it never waited). */
  queued_at: Instant | null;
  /** When an operator was (last) given the conversation by routing or transfer. */
  assigned_at: Instant | null;
  /** What became of a live request: statistics read it. Null while it is still being decided. */
  outcome: ConversationOutcome | null;
  /** Time from the visitor's request to an operator's assignment, or to giving up. */
  wait_ms: number | null;
  /** Highest seq each side has read: read receipts. */
  visitor_read_seq: Generated<number>;
  operator_read_seq: Generated<number>;
  /** The last problem an operator reported here (seed 002's operator statistic `problem`); null if none. */
  problem_reported_at: Instant | null;
  problem_reason: string | null;
  problem_operator_id: number | null;
  /**
   * The operator's answers to an installed app's closing form (domain/apps/interactions.ts), JSON
   * `{ installation_id, app, answers: [{ id, label, value }] }`; null when closed without one.
   */
  closing_answers: Generated<string | null>;
}

export type ConversationOutcome = 'answered' | 'missed_busy' | 'missed_offline' | 'abandoned';

/** History entry kinds, numbered as seed 003's history tuples; 6 (private note) is Causerie's and never shown to visitors. */
export const MESSAGE_KIND = { operator: 1, visitor: 2, system: 3, navigation: 5, note: 6 } as const;
export type MessageKind = (typeof MESSAGE_KIND)[keyof typeof MESSAGE_KIND];

export interface ConversationMessageTable {
  id: Generated<number>;
  conversation_id: number;
  seq: number;
  kind: MessageKind;
  operator_id: number | null;
  /** Message text, system notice, or the URL of a navigation entry. */
  body: string;
  created_at: Instant;
  /** JSON details of a system entry (`{"event":"assigned","operator_id":3}`), null otherwise. */
  data: string | null;
  /** The sender's own id for this message: a resend after a reconnect is recognised, not stored twice. */
  client_message_id: string | null;
}

/**
 * Every column of conversation_message the application reads: on PostgreSQL the table also has the generated
 * `search_vector` (migration 20261206T0000), which no reader wants, so no reader selects `*`.
 */
export const CONVERSATION_MESSAGE_COLUMNS = [
  'id',
  'conversation_id',
  'seq',
  'kind',
  'operator_id',
  'body',
  'created_at',
  'data',
  'client_message_id',
] as const satisfies ReadonlyArray<keyof ConversationMessageTable>;

export interface TagTable {
  id: Generated<number>;
  client_id: number;
  name: string;
  /** `#rrggbb` (lower case), or null for the console's neutral colour. */
  colour: string | null;
  /** 1: no longer offered to operators, kept on the conversations that have it and in the statistics. */
  archived: Generated<number>;
  created_at: Instant;
  updated_at: Instant;
}

export interface TagWebsiteTable {
  tag_id: number;
  website_id: number;
}

export interface ConversationTagTable {
  conversation_id: number;
  tag_id: number;
}

/** A sale a merchant reported: the API's `transaction` resource (named `sale` here so it never reads as a database transaction). */
export interface SaleTable {
  id: Generated<number>;
  client_id: number;
  website_id: number;
  /** The merchant's order id; unique per website so a retried report is not counted twice. */
  external_id: string;
  visitor_id: number | null;
  visitor_uid: string | null;
  visitor_email: string | null;
  amount: number;
  currency: string | null;
  operator_id: number | null;
  conversation_id: number | null;
  created_at: Instant;
}

export interface SatisfactionTable {
  id: Generated<number>;
  client_id: number;
  website_id: number;
  conversation_id: number;
  operator_id: number | null;
  /** Notes from 1 to 3, as the visitor gave them (seed 002); v2 presents them as fractions of 3. */
  note_welcome: number;
  note_delay: number;
  note_resolution: number;
  comment: string;
  created_at: Instant;
}

export type CallMeetingStatus = 'pending' | 'progress' | 'done' | 'failed' | 'working';

export interface CallMeetingTable {
  id: Generated<number>;
  client_id: number;
  website_id: number;
  phone_number: string;
  visitor_uid: string | null;
  status: CallMeetingStatus;
  start_at: Instant;
  targeting_rule_id: string | null;
  skill_id: string | null;
  created_at: Instant;
  updated_at: Instant;
}

export interface OperatorProfileTable {
  operator_id: number;
  status: string | null;
  description: string | null;
  facebook: string | null;
  twitter: string | null;
  city: string | null;
  country: string | null;
  updated_at: Instant;
}

/** One connected period of an operator; `ended_at` is null while the operator is connected. */
export interface PresenceSessionTable {
  id: Generated<number>;
  client_id: number;
  operator_id: number;
  started_at: Instant;
  ended_at: Instant | null;
}

/** The channels an operator is available on (operator.chat_available, call_available, video_available). */
export type AvailabilityChannel = 'chat' | 'call' | 'video';

/**
 * One stretch of an operator's availability on one channel; `ended_at` is null while available (at most one such row
 * per operator and channel). Written by domain/people/history.ts; the statistics engine reads it.
 */
export interface AvailabilityIntervalTable {
  id: Generated<number>;
  client_id: number;
  operator_id: number;
  channel: AvailabilityChannel;
  started_at: Instant;
  ended_at: Instant | null;
}

/**
 * An operator holding a conversation, from assignment or transfer in until close or transfer away; `ended_at` is null
 * while they still hold it (at most one such row per conversation). The operators' load over time.
 */
export interface ConversationHoldingTable {
  id: Generated<number>;
  client_id: number;
  website_id: number;
  conversation_id: number;
  operator_id: number;
  channel: ConversationChannel;
  started_at: Instant;
  ended_at: Instant | null;
}

/** An operator's chat limit (`chat_max_number`) from `started_at` until their next row: one per change. */
export interface OperatorCapacityTable {
  id: Generated<number>;
  client_id: number;
  operator_id: number;
  chat_max_number: number;
  started_at: Instant;
}

/** The event log (design.md §1): written in the same transaction as the change it describes. */
export interface EventTable {
  id: Generated<number>;
  /** Dotted name from events/catalogue.ts. */
  type: string;
  partner_id: number | null;
  client_id: number | null;
  subject_type: string;
  subject_id: number;
  /** JSON object. */
  payload: ColumnType<string, string, never>;
  created_at: Instant;
}

/** A console or realtime login of an operator: a bearer token known only by its SHA-256. */
export interface OperatorSessionTable {
  id: Generated<number>;
  client_id: number;
  operator_id: number;
  token_hash: string;
  created_at: Instant;
  expires_at: Instant;
  revoked_at: Instant | null;
}

/** A messaging channel of a website (WhatsApp number, SMS sender, RCS agent, web chat); credentials are sealed. */
export interface ChannelTable {
  id: Generated<number>;
  client_id: number;
  website_id: number;
  type: 'whatsapp' | 'sms' | 'rcs' | 'chat';
  name: string;
  base_url: string;
  credentials: string;
  credential_fields: string;
  send_rate: number;
  enabled: Generated<Flag>;
  created_at: Instant;
  updated_at: Instant;
  deleted_at: Instant | null;
}

/** A verified webhook payload, kept raw until processed. */
export interface ChannelInboundTable {
  id: Generated<number>;
  channel_id: number;
  content_type: string;
  body: string;
  received_at: Instant;
  processed_at: Instant | null;
  claimed_until: Instant | null;
  attempts: Generated<number>;
  error: string | null;
}

export interface ChannelMessageSeenTable {
  channel_id: number;
  provider_message_id: string;
  conversation_id: number | null;
  seq: number | null;
  created_at: Instant;
}

export interface ChannelContactTable {
  id: Generated<number>;
  channel_id: number;
  address: string;
  visitor_id: number;
  conversation_id: number | null;
  last_inbound_at: Instant | null;
  created_at: Instant;
}

export interface ChannelOutboundTable {
  id: Generated<number>;
  channel_id: number;
  client_id: number;
  conversation_id: number;
  seq: number;
  recipient: string;
  content: string;
  state: 'queued' | 'sent' | 'delivered' | 'read' | 'failed';
  provider_message_id: string | null;
  error_code: string | null;
  error_message: string | null;
  attempts: Generated<number>;
  next_attempt_at: Instant;
  claimed_until: Instant | null;
  created_at: Instant;
  updated_at: Instant;
}

export interface ChannelMediaTable {
  id: Generated<number>;
  channel_id: number;
  client_id: number;
  conversation_id: number | null;
  provider_media_id: string | null;
  mime_type: string;
  filename: string | null;
  size: number;
  sha256: string;
  content: Buffer;
  created_at: Instant;
}

/** An outgoing webhook subscription of a client (webhooks/). */
export interface WebhookTable {
  id: Generated<number>;
  client_id: number;
  name: string;
  url: string;
  /** JSON array of selectors: `*`, a domain (`conversations.domain`) or event names. */
  events: string;
  /** JSON array of website ids; empty = every website. */
  website_ids: string;
  content_type: string;
  compat: string;
  format: string;
  enabled: number;
  disabled_reason: string | null;
  secret: string;
  previous_secret: string | null;
  previous_secret_expires_at: Instant | null;
  failing_since: Instant | null;
  created_at: Instant;
  updated_at: Instant;
  /** The app installation this subscription was made for (domain/apps/): removed with it. Null: the client's own. */
  installation_id: number | null;
  /**
   * When its app was uninstalled (domain/apps/installations.ts): a retired subscription is never listed nor changed
   * by the API, and receives only the events up to `retired_by_event` (its installation's `connector.uninstalled`).
   */
  retired_at: ColumnType<Instant | null, Instant | null | undefined, Instant | null>;
  retired_by_event: ColumnType<number | null, number | null | undefined, number | null>;
}

/** Events waiting to be fanned out to webhook subscriptions (written by appendEvent). */
export interface WebhookOutboxTable {
  id: Generated<number>;
  event_id: number;
  created_at: Instant;
}

/** One attempt to deliver one event to one subscription. */
export interface WebhookDeliveryTable {
  id: Generated<number>;
  webhook_id: number;
  client_id: number;
  event_id: number;
  event_type: string;
  conversation_id: number | null;
  correlation_id: string;
  delivery_uuid: string;
  attempt: number;
  status: string;
  request_body: string;
  content_type: string;
  http_status: number | null;
  latency_ms: number | null;
  error: string | null;
  response_body: string | null;
  created_at: Instant;
  next_attempt_at: Instant;
  lease_until: Instant | null;
  completed_at: Instant | null;
  /** A messaging callback's delivery (webhook_id 0 then), or null for a subscription's. */
  callback_id: number | null;
  /**
   * A callback delivery's resource (`MESSENGER_REPORT:42`): its deliveries go one at a time in event order, other
   * resources' in parallel. Null on subscriptions' rows and on callback rows from before 20261205T1320-callback-lanes.
   */
  lane_key: string | null;
}

/**
 * The additive measures of an hourly statistics rollup (domain/statistics/): counts, sums of seconds and amounts,
 * durations of presence states. The migration 20261204T1030-statistics creates a column for each of the first 43,
 * 20261204T1300-statistics-more-measures for the operator credits after them.
 */
export const STATS_MEASURES = [
  'contacts',
  'first_reply_sum',
  'first_reply_n',
  'reply_sum',
  'reply_n',
  'close_gap_sum',
  'close_gap_n',
  'duration_sum',
  'duration_n',
  'sent_messages',
  'received_messages',
  'unanswered',
  'missed_busy',
  'missed_offline',
  'queued',
  'abandoned',
  'abandoned_wait_sum',
  'queue_answered',
  'queue_answered_wait_sum',
  'answered_outcome',
  'operator_answered',
  'from_rule',
  'converted',
  'problems',
  'surveys',
  'note_welcome_sum',
  'note_delay_sum',
  'note_resolution_sum',
  'sales_after',
  'sales_after_amount',
  'sales_after_delay_sum',
  'sales_in_session',
  'sales_total',
  'sales_total_amount',
  'presence_s',
  'presence_union_s',
  'non_occupied_s',
  'partial_s',
  'full_s',
  'unavailable_s',
  'production_union_s',
  'presentation_union_s',
  'load_integral_s',
  // Credits of one operator (rows `resource` 'credit', channel and source '*'), where the operator is not the
  // conversation's: messages they wrote (conversation's creation hour); surveys by their own hour, for the operator
  // recorded on them else the conversation's, and those recorded with one; sales by their own hour, for the operator
  // reported with them else the conversation's (amounts in cents, summed exactly).
  'authored_messages',
  'credited_surveys',
  'credited_note_welcome_sum',
  'credited_note_delay_sum',
  'credited_note_resolution_sum',
  'recorded_surveys',
  'recorded_notes_sum',
  'credited_sales',
  'credited_sales_cents',
  // Conversations followed by a sale (any date), answered or not (`converted` counts the answered ones).
  'sold_contacts',
] as const;
export type StatsMeasure = (typeof STATS_MEASURES)[number];

/**
 * One hour of one scope: a website's conversations and sales (channel × source × resource), or a client's operator
 * presence (`website_id` 0; channel chat, call or video). `resource` '' with `resource_id` '' is the scope's total.
 */
export type StatsHourTable = {
  client_id: number;
  website_id: number;
  /** UTC start of the hour, as stored instants are written (`2026-11-21T13:00:00.000Z`). */
  hour: Instant;
  /** `chat`, `call`, `video`, `social`, or `*` on the rows of every sale whatever its channel. */
  channel: string;
  /** The conversation source, `*` on presence and sale-total rows. */
  source: string;
  resource: string;
  resource_id: string;
  last_sale_at: Instant | null;
} & Record<StatsMeasure, number>;

/** One local day of a scope: the sum of its stats_hour rows (domain/statistics/days.ts), same key but `day`. */
export type StatsDayTable = Omit<StatsHourTable, 'hour'> & {
  /** The client's local date (`2026-11-03`), in the time zone stats_day_zone records for the client. */
  day: string;
};

/** The time zone a client's stats_day rows were summed in; queries read days only while it is the client's zone. */
export interface StatsDayZoneTable {
  client_id: number;
  time_zone: string;
  updated_at: Instant;
}

/** A bucket whose rollups must be computed again: a website's hour, or (website_id 0) a client's presence hour. */
export interface StatsDirtyTable {
  client_id: number;
  website_id: number;
  hour: Instant;
  /** The latest mark (instant and a unique suffix): a hour marked again while computed stays due. */
  marked_at: string;
  /** When it became due; computed once it is a second old, so a busy hour is computed about once a second. */
  since: Instant;
}

/** The statistics projection's position in the event log, the ids it has not seen yet below it, and its lease. */
export interface StatsProjectionTable {
  name: string;
  cursor: number;
  /** JSON array of `{ id, since }`: ids below the cursor not seen yet (PostgreSQL commits ids out of order). */
  gaps: string;
  /** Presence up to this instant has been marked for recomputation (the minute tick). */
  presence_until: Instant;
  lease_owner: string | null;
  lease_until: Instant | null;
  updated_at: Instant;
}

/** A client's operational flow (domain/flows/): its code (unique per client), trigger and the version runs start on. */
export interface FlowTable {
  id: Generated<number>;
  client_id: number;
  code: string;
  name: string;
  active: Flag;
  /** JSON text: a FlowTrigger (domain/flows/flows.ts): request, order_created, keyword, schedule or event. */
  trigger: string;
  current_version: number | null;
  /** A schedule trigger's next firing, claimed by the engine (null for other triggers and inactive flows). */
  next_fire_at: Instant | null;
  /** Deleted: hidden and never started again; its rows stay for the history of its runs. */
  deleted_at: Instant | null;
  created_at: Instant;
  updated_at: Instant;
}

/** One immutable version of a flow's definition (JSON text, checked by domain/flows/definition.ts). */
export interface FlowVersionTable {
  id: Generated<number>;
  flow_id: number;
  client_id: number;
  version: number;
  definition: string;
  created_at: Instant;
}

export type CommerceRequestState = 'open' | 'done' | 'failed' | 'cancelled';

/** A merchant's request (seed 001 `createRequest`): the object a flow run is tied to. */
export interface CommerceRequestTable {
  id: Generated<number>;
  client_id: number;
  flow_id: number;
  flow_code: string;
  user_key: string;
  reference: string | null;
  /** JSON object text: the request's variables. */
  data: string;
  state: CommerceRequestState;
  created_at: Instant;
  updated_at: Instant;
}

export type FlowRunState = 'running' | 'waiting' | 'done' | 'failed' | 'cancelled';

/** A durable flow run: workers claim it when due (lease), run its next step and commit the step with its rows. */
export interface FlowRunTable {
  id: Generated<number>;
  client_id: number;
  flow_id: number;
  version_id: number;
  request_id: number | null;
  order_id: number | null;
  user_key: string;
  state: FlowRunState;
  /** JSON object text. */
  variables: string;
  /** JSON text of the merchant's object (get_object), or null. */
  object: string | null;
  step_index: number;
  steps_run: number;
  due_at: Instant | null;
  /** JSON text: what a waiting run waits for (domain/flows/engine.ts WaitingFor), or null. */
  waiting_for: string | null;
  conversation_id: number | null;
  lease_owner: string | null;
  lease_until: Instant | null;
  error: string | null;
  started_at: Instant;
  updated_at: Instant;
  ended_at: Instant | null;
}

export type FlowStepState = 'running' | 'waiting' | 'done' | 'failed';

/** One executed step of a run (ordinal 1, 2, … in the run): its outcome, output and error. */
export interface FlowRunStepTable {
  id: Generated<number>;
  run_id: number;
  client_id: number;
  ordinal: number;
  step_index: number;
  step_id: string;
  type: string;
  state: FlowStepState;
  attempts: number;
  /** JSON text, or null. */
  output: string | null;
  error: string | null;
  started_at: Instant;
  ended_at: Instant | null;
}

/** A billable action of a run, priced from the client's price list (commerce_price). */
export interface CommerceChargeTable {
  id: Generated<number>;
  client_id: number;
  user_key: string;
  request_id: number | null;
  run_id: number | null;
  idempotency_key: string;
  kind: string;
  quantity: number;
  unit_price: number;
  amount: number;
  currency: string;
  at: Instant;
}

export interface CommercePriceTable {
  client_id: number;
  kind: string;
  unit_price: number;
  currency: string;
  updated_at: Instant;
}

/** A client's merchant endpoints (getObject, updateObject); the auth header value and signing secret are sealed. */
export interface CommerceMerchantTable {
  client_id: number;
  get_object_url: string | null;
  update_object_url: string | null;
  auth_header_name: string | null;
  auth_header_value: string | null;
  signing_secret: string;
  timeout_ms: number;
  updated_at: Instant;
}

/** The flows' position in the event log (orders and inbound replies), the ids not seen yet below it, and its lease. */
export interface FlowEventCursorTable {
  name: string;
  cursor: number;
  gaps: string;
  lease_owner: string | null;
  lease_until: Instant | null;
  updated_at: Instant;
}

/** Who started a conversation: `visitor`, `proactive` (a targeting rule's invitation accepted), `outbound`. */
export type ContactType = 'visitor' | 'proactive' | 'outbound';
export const CONTACT_TYPES: readonly ContactType[] = ['visitor', 'proactive', 'outbound'];

/** A website's targeting rule (domain/targeting/): evaluated by the widget in the page. Soft-deleted. */
export interface TargetingRuleTable {
  id: Generated<number>;
  client_id: number;
  website_id: number;
  name: string;
  channel: 'chat' | 'call' | 'video';
  status: 'active' | 'inactive';
  /** 1 is evaluated first; ties by id. */
  priority: number;
  /** JSON text: `{"match": "all"|"any", "list": [{"type", "operator", "value"}]}` (domain/targeting/conditions.ts). */
  conditions: string;
  action: 'button' | 'invitation';
  invitation_message: string | null;
  invitation_delay_seconds: number | null;
  group_id: number | null;
  skill_id: number | null;
  only_when_available: Flag;
  created_at: Instant;
  updated_at: Instant;
  deleted_at: Instant | null;
}

/** Hourly counts of a rule's displays and triggers, per page type ('' when none): added to, never one row per display. */
export interface TargetingRuleCounterTable {
  client_id: number;
  website_id: number;
  /** UTC start of the hour, `YYYY-MM-DDTHH:00:00.000Z`. */
  hour: Instant;
  /** The rule's channel: `chat`, `call` or `video` (text, so statistics may query it with any channel name). */
  channel: string;
  rule_id: number;
  page_type: string;
  displays: number;
  triggers: number;
  withheld_busy: number;
  withheld_offline: number;
}

/** An order of a client's shop (issue 18): created through the commerce API or by Shopify's order webhook. */
export interface CommerceOrderTable {
  id: Generated<number>;
  client_id: number;
  /** The store's `id_store` ('' for an order without a store). */
  store: Generated<string>;
  external_id: string;
  user_key: string;
  /** The order's display name (Shopify's `#1001`), when given. */
  name: string | null;
  /** JSON text: `{ name?, phone?, email? }`. */
  customer: string;
  /** JSON text: `[{ sku?, name, quantity, unit_price }]`. */
  items: string;
  subtotal: number | null;
  shipping: number | null;
  tax: number | null;
  total: number;
  currency: string;
  /** JSON text, or null. */
  shipping_address: string | null;
  payment_method: string | null;
  financial_status: string | null;
  source: 'api' | 'shopify';
  created_at: Instant;
}

export interface CommerceSettingsTable {
  client_id: number;
  orders_enabled: Generated<Flag>;
  updated_at: Instant;
}

/** A client's Shopify store: the access token and webhook secret are sealed (channels/secrets.ts), never answered. */
export interface ShopifyStoreTable {
  id: Generated<number>;
  client_id: number;
  id_store: string;
  store_name: string;
  access_token: string;
  webhook_secret: string;
  created_at: Instant;
  updated_at: Instant;
}

export interface ShopifyWebhookSeenTable {
  store_id: number;
  webhook_id: string;
  order_id: number | null;
  received_at: Instant;
}

export interface ShopifyOrderActionTable {
  client_id: number;
  idempotency_key: string;
  store: string;
  order_id: string;
  action: string;
  applied_at: Instant;
}

/** A developer of apps (issue 21, seed 003): invited by the platform admin, then logged in with a password. */
export interface DeveloperTable {
  id: Generated<number>;
  email: string;
  name: string;
  company: string | null;
  password_hash: string | null;
  invitation_hash: string | null;
  invitation_expires_at: Instant | null;
  activated_at: Instant | null;
  disabled_at: Instant | null;
  created_at: Instant;
  updated_at: Instant;
}
export type DeveloperRow = Selectable<DeveloperTable>;

export interface DeveloperSessionTable {
  id: Generated<number>;
  developer_id: number;
  token_hash: string;
  created_at: Instant;
  expires_at: Instant;
  revoked_at: Instant | null;
}

export type AppStatus = 'sandbox' | 'under_review' | 'published';
export interface AppTable {
  id: Generated<number>;
  developer_id: number;
  uuid: string;
  name: string;
  status: AppStatus;
  /** JSON text of the draft (domain/apps/definition.ts AppDraft). */
  draft: string;
  published_version_id: number | null;
  /** Why the admin refused the last submission (shown until the next one). */
  review_reason: string | null;
  /** Signs Causerie's calls to the app's connector; sealed, bound to `app:{id}` (domain/apps/signing.ts). */
  signing_secret: string | null;
  deleted_at: Instant | null;
  created_at: Instant;
  updated_at: Instant;
}
export type AppRow = Selectable<AppTable>;

export interface AppWebhookTable {
  id: Generated<number>;
  app_id: number;
  name: string;
  url: string;
  content_type: string;
  /** JSON array of event selectors, as a webhook's. */
  events: string;
  /** The security token, sealed (bound to this row). */
  secret: string;
  created_at: Instant;
  updated_at: Instant;
}
export type AppWebhookRow = Selectable<AppWebhookTable>;

export type AppVersionStatus = 'under_review' | 'published' | 'refused';
export interface AppVersionTable {
  id: Generated<number>;
  app_id: number;
  uuid: string;
  version: string;
  status: AppVersionStatus;
  /** JSON text of the draft as submitted, with the app's webhooks. */
  definition: string;
  review_reason: string | null;
  submitted_at: Instant;
  reviewed_at: Instant | null;
}
export type AppVersionRow = Selectable<AppVersionTable>;

export interface AppInstallationTable {
  id: Generated<number>;
  client_id: number;
  app_id: number;
  app_version_id: number;
  /** JSON array of website ids. */
  website_ids: string;
  /** Sealed JSON object: field id → value. */
  field_values: string;
  api_key_id: number | null;
  created_at: Instant;
  deleted_at: Instant | null;
}
export type AppInstallationRow = Selectable<AppInstallationTable>;

export interface Database {
  developer: DeveloperTable;
  developer_session: DeveloperSessionTable;
  app: AppTable;
  app_webhook: AppWebhookTable;
  app_version: AppVersionTable;
  app_installation: AppInstallationTable;
  partner: PartnerTable;
  client: ClientTable;
  website: WebsiteTable;
  operator: OperatorTable;
  operator_website: OperatorWebsiteTable;
  operator_skill: OperatorSkillTable;
  operator_group: OperatorGroupTable;
  skill: SkillTable;
  api_key: ApiKeyTable;
  event: EventTable;
  visitor: VisitorTable;
  visitor_website: VisitorWebsiteTable;
  conversation: ConversationTable;
  conversation_message: ConversationMessageTable;
  tag: TagTable;
  tag_website: TagWebsiteTable;
  conversation_tag: ConversationTagTable;
  sale: SaleTable;
  satisfaction: SatisfactionTable;
  call_meeting: CallMeetingTable;
  operator_profile: OperatorProfileTable;
  presence_session: PresenceSessionTable;
  availability_interval: AvailabilityIntervalTable;
  conversation_holding: ConversationHoldingTable;
  operator_capacity: OperatorCapacityTable;
  operator_session: OperatorSessionTable;
  channel: ChannelTable;
  channel_inbound: ChannelInboundTable;
  channel_message_seen: ChannelMessageSeenTable;
  channel_contact: ChannelContactTable;
  channel_outbound: ChannelOutboundTable;
  channel_media: ChannelMediaTable;
  webhook: WebhookTable;
  webhook_outbox: WebhookOutboxTable;
  webhook_delivery: WebhookDeliveryTable;
  targeting_rule: TargetingRuleTable;
  targeting_rule_counter: TargetingRuleCounterTable;
  flow: FlowTable;
  flow_version: FlowVersionTable;
  commerce_request: CommerceRequestTable;
  flow_run: FlowRunTable;
  flow_run_step: FlowRunStepTable;
  commerce_charge: CommerceChargeTable;
  commerce_price: CommercePriceTable;
  commerce_merchant: CommerceMerchantTable;
  flow_event_cursor: FlowEventCursorTable;
  stats_hour: StatsHourTable;
  stats_day: StatsDayTable;
  stats_day_zone: StatsDayZoneTable;
  stats_dirty: StatsDirtyTable;
  stats_projection: StatsProjectionTable;
  commerce_order: CommerceOrderTable;
  commerce_settings: CommerceSettingsTable;
  shopify_store: ShopifyStoreTable;
  shopify_webhook_seen: ShopifyWebhookSeenTable;
  shopify_order_action: ShopifyOrderActionTable;
  messaging_agent: MessagingAgentTable;
  messaging_agent_carrier: MessagingAgentCarrierTable;
  messaging_tester: MessagingTesterTable;
  messaging_agent_history: MessagingAgentHistoryTable;
  messaging_idempotency: MessagingIdempotencyTable;
  messaging_callback: MessagingCallbackTable;
  messenger_broadcast: MessengerBroadcastTable;
  messenger_broadcast_problem: MessengerBroadcastProblemTable;
  messenger_message: MessengerMessageTable;
  messenger_optout: MessengerOptoutTable;
  messenger_template: MessengerTemplateTable;
  chat_token: ChatTokenTable;
  messaging_company: MessagingCompanyTable;
  messaging_account: MessagingAccountTable;
  messaging_partner_history: MessagingPartnerHistoryTable;
  canned_response: CannedResponseTable;
  transcript_mail: TranscriptMailTable;
}

export type PartnerRow = Selectable<PartnerTable>;
export type ClientRow = Selectable<ClientTable>;
export type WebsiteRow = Selectable<WebsiteTable>;
export type OperatorRow = Selectable<OperatorTable>;
export type OperatorInsert = Insertable<OperatorTable>;
export type OperatorUpdate = Updateable<OperatorTable>;
export type GroupRow = Selectable<OperatorGroupTable>;
export type SkillRow = Selectable<SkillTable>;
export type ApiKeyRow = Selectable<ApiKeyTable>;
export type EventRow = Selectable<EventTable>;
export type VisitorRow = Selectable<VisitorTable>;
export type ConversationRow = Selectable<ConversationTable>;
export type ConversationMessageRow = Selectable<ConversationMessageTable>;
export type TagRow = Selectable<TagTable>;
export type SaleRow = Selectable<SaleTable>;
export type CommerceOrderRow = Selectable<CommerceOrderTable>;
export type ShopifyStoreRow = Selectable<ShopifyStoreTable>;
export type SatisfactionRow = Selectable<SatisfactionTable>;
export type CallMeetingRow = Selectable<CallMeetingTable>;
export type OperatorProfileRow = Selectable<OperatorProfileTable>;
export type PresenceSessionRow = Selectable<PresenceSessionTable>;
export type AvailabilityIntervalRow = Selectable<AvailabilityIntervalTable>;
export type ConversationHoldingRow = Selectable<ConversationHoldingTable>;
export type OperatorCapacityRow = Selectable<OperatorCapacityTable>;
export type WebhookRow = Selectable<WebhookTable>;
export type WebhookDeliveryRow = Selectable<WebhookDeliveryTable>;
export type TargetingRuleRow = Selectable<TargetingRuleTable>;
export type ChannelRow = Selectable<ChannelTable>;
export type ChannelOutboundRow = Selectable<ChannelOutboundTable>;

/** What the messaging worker claims on a row: its next work, when, its lease, attempts and the last provider failure. */
interface MessagingWorkColumns<Work extends string> {
  work: Work | null;
  due_at: Instant | null;
  attempts: Generated<number>;
  quiet_polls: Generated<number>;
  lease_owner: string | null;
  lease_until: Instant | null;
  /** JSON text {code, message, at}, or null. */
  last_error: string | null;
}

export type MessagingAgentState = 'pending_verification' | 'active' | 'suspended' | 'rejected' | 'deleted';
export type MessagingCarrierState = 'pending' | 'launched' | 'rejected' | 'suspended';
export type MessagingTesterState = 'invite_pending' | 'accepted' | 'declined' | 'expired' | 'unreachable' | 'deleted';

/** A client's chat environment (issue 19 `/chatbot/agent`), registered as an RBM agent (domain/messaging/agents.ts). */
export interface MessagingAgentTable extends MessagingWorkColumns<'submit' | 'sync' | 'poll'> {
  id: Generated<number>;
  client_id: number;
  name: string;
  description: string;
  logo_url: string;
  banner_url: string;
  brand_color: string;
  phone: string | null;
  email: string | null;
  website: string | null;
  privacy_url: string;
  terms_url: string;
  use_case: string;
  hosting_region: string;
  rcs: Flag;
  whatsapp_channel_id: number | null;
  sms_channel_id: number | null;
  state: MessagingAgentState;
  reason: string | null;
  rbm_brand: string | null;
  rbm_agent: string | null;
  launch_requested: Generated<Flag>;
  created_at: Instant;
  updated_at: Instant;
  deleted_at: Instant | null;
}

/** One carrier (Google region) an environment launches on, and its launch state. */
export interface MessagingAgentCarrierTable {
  id: Generated<number>;
  agent_id: number;
  carrier: string;
  state: MessagingCarrierState;
  reason: string | null;
  updated_at: Instant;
}

/** A tester phone number invited to an environment's RBM agent (domain/messaging/testers.ts). */
export interface MessagingTesterTable extends MessagingWorkColumns<'invite' | 'poll'> {
  id: Generated<number>;
  client_id: number;
  agent_id: number;
  phone: string;
  state: MessagingTesterState;
  reason: string | null;
  invited_at: Instant | null;
  created_at: Instant;
  updated_at: Instant;
  deleted_at: Instant | null;
}

/** A state change of an environment (carrier null), of one of its carriers, or of a tester. */
export interface MessagingAgentHistoryTable {
  id: Generated<number>;
  client_id: number;
  resource: 'agent' | 'tester';
  resource_id: number;
  carrier: string | null;
  state: string;
  previous_state: string | null;
  reason: string | null;
  at: Instant;
}

/** The first answer to a POST of the messaging API with an Idempotency-Key, per owner and key. */
export interface MessagingIdempotencyTable {
  id: Generated<number>;
  owner_kind: 'partner' | 'client';
  owner_id: number;
  key: string;
  request_hash: string;
  status: number | null;
  answer: string | null;
  created_at: Instant;
}

export type MessagingAgentRow = Selectable<MessagingAgentTable>;
export type MessagingAgentCarrierRow = Selectable<MessagingAgentCarrierTable>;
export type MessagingTesterRow = Selectable<MessagingTesterTable>;

/** An owner's messaging callback (issue 19 `/system/callback`): deliveries are webhook_delivery rows naming it. */
export interface MessagingCallbackTable {
  id: Generated<number>;
  owner_kind: 'partner' | 'client';
  owner_id: number;
  url: string;
  /** Sealed signing secret (webhooks/signing.ts), bound to `messaging_callback:<id>`. */
  secret: string;
  previous_secret: string | null;
  previous_secret_expires_at: Instant | null;
  created_at: Instant;
  updated_at: Instant;
}

export type MessagingCompanyState = 'pending_verification' | 'verified' | 'rejected' | 'suspended';
export type MessagingAccountState =
  | 'pending_verification'
  | 'pending_activation'
  | 'active'
  | 'suspended'
  | 'rejected'
  | 'closed';

/** A partner's company (issue 19 `/client/company`, domain/messaging/companies.ts). */
export interface MessagingCompanyTable {
  id: Generated<number>;
  partner_id: number;
  legal_name: string;
  trade_name: string | null;
  identifier_kind: 'siren' | 'siret' | 'vat';
  legal_identifier: string;
  address: string;
  country: string;
  website: string | null;
  email: string;
  phone: string;
  sector: string | null;
  logo_url: string | null;
  state: MessagingCompanyState;
  reason: string | null;
  created_at: Instant;
  updated_at: Instant;
}

/** An account a partner made for one of its companies (issue 19 `/system/account`): a Causerie client and its owner. */
export interface MessagingAccountTable {
  id: Generated<number>;
  partner_id: number;
  company_id: number;
  client_id: number;
  owner_name: string;
  owner_email: string;
  owner_phone: string | null;
  owner_locale: string;
  owner_timezone: string;
  activation_required: Flag;
  state: MessagingAccountState;
  reason: string | null;
  /** Hex SHA-256 of the one-time activation token; null once used (or when none was issued). */
  activation_token_hash: string | null;
  activation_expires_at: Instant | null;
  activated_at: Instant | null;
  operator_id: number | null;
  created_at: Instant;
  updated_at: Instant;
}

export interface MessagingPartnerHistoryTable {
  id: Generated<number>;
  partner_id: number;
  resource: 'company' | 'account';
  resource_id: number;
  state: string;
  previous_state: string | null;
  reason: string | null;
  at: Instant;
}

export type MessagingCallbackRow = Selectable<MessagingCallbackTable>;
export type MessagingCompanyRow = Selectable<MessagingCompanyTable>;
export type MessagingAccountRow = Selectable<MessagingAccountTable>;

/** A broadcast's life: its file being read, waiting for `send_at`, sending, held, done or stopped. */
export type MessengerBroadcastState = 'importing' | 'scheduled' | 'running' | 'paused' | 'completed' | 'cancelled';

export interface MessengerBroadcastTable {
  id: Generated<number>;
  client_id: number;
  agent_id: number;
  name: string;
  /** JSON text: the content every recipient gets (a template reference or direct content). */
  content: string;
  channel: string;
  /** JSON text `{channel, after_minutes}` or null. */
  fallback: string | null;
  send_at: Instant | null;
  rate_per_second: number | null;
  default_country: string | null;
  state: MessengerBroadcastState;
  /** JSON text: the CSV header's columns, null for a JSON list. */
  columns: string | null;
  total: Generated<number>;
  invalid: Generated<number>;
  created_at: Instant;
  updated_at: Instant;
  started_at: Instant | null;
  ended_at: Instant | null;
}

export interface MessengerBroadcastProblemTable {
  id: Generated<number>;
  broadcast_id: number;
  line: number;
  field: string;
  reason: string;
  value: string | null;
}

export type MessengerBroadcastRow = Selectable<MessengerBroadcastTable>;
export type MessengerBroadcastProblemRow = Selectable<MessengerBroadcastProblemTable>;

export type MessengerChannel = 'rcs' | 'whatsapp' | 'sms';
export type MessengerState =
  | 'queued'
  | 'scheduled'
  | 'sent'
  | 'delivered'
  | 'read'
  | 'failed'
  | 'expired'
  | 'opted_out'
  | 'cancelled';

/** One send of issue 20 to one recipient (domain/messaging/messages.ts), sent by the messenger worker. */
export interface MessengerMessageTable {
  id: Generated<number>;
  client_id: number;
  agent_id: number;
  broadcast_id: number | null;
  to: string;
  requested_channel: MessengerChannel | 'auto';
  channel: MessengerChannel | null;
  channel_id: number | null;
  /** JSON text: a template reference or direct text. */
  content: string;
  /** JSON text: the recipient's variables. */
  variables: string;
  reference: string | null;
  /** JSON text `{channel, after_minutes}` or null. */
  fallback: string | null;
  fallback_from: MessengerChannel | null;
  state: MessengerState;
  error_code: string | null;
  error_message: string | null;
  send_at: Instant | null;
  work: 'send' | 'fallback' | null;
  due_at: Instant | null;
  lease_owner: string | null;
  lease_until: Instant | null;
  attempts: Generated<number>;
  conversation_id: number | null;
  seq: number | null;
  created_at: Instant;
  updated_at: Instant;
}

/** A number of the account's opt-out list: sends to it end `opted_out`. */
export interface MessengerOptoutTable {
  id: Generated<number>;
  client_id: number;
  phone: string;
  source: 'api' | 'keyword';
  keyword: string | null;
  created_at: Instant;
}

export type MessengerMessageRow = Selectable<MessengerMessageTable>;

export type WhatsappTemplateStatus = 'none' | 'pending' | 'approved' | 'rejected' | 'paused' | 'disabled';

/** A message template of the account (domain/messaging/templates.ts); its WhatsApp approval follows Meta's. */
export interface MessengerTemplateTable {
  id: Generated<number>;
  client_id: number;
  name: string;
  language: string;
  category: 'MARKETING' | 'UTILITY' | 'AUTHENTICATION';
  /** JSON text: TemplateContent (domain/messaging/template-render.ts). */
  content: string;
  whatsapp_channel_id: number | null;
  waba_id: string | null;
  meta_template_id: string | null;
  whatsapp_status: WhatsappTemplateStatus;
  whatsapp_reason: string | null;
  /** submit: create or edit it at Meta; delete: remove a deleted template from Meta. */
  work: 'submit' | 'delete' | null;
  due_at: Instant | null;
  lease_until: Instant | null;
  attempts: Generated<number>;
  /** JSON text {code, message, at}, or null. */
  last_error: string | null;
  created_at: Instant;
  updated_at: Instant;
  deleted_at: Instant | null;
  /** A scenario template's steps: the flow (domain/flows) a send of it starts a run of; null for a plain template. */
  flow_id: number | null;
}

export type MessengerTemplateRow = Selectable<MessengerTemplateTable>;

/** A personalised chat URL of a chat environment for one recipient (domain/messaging/chat-tokens.ts). */
export interface ChatTokenTable {
  id: Generated<number>;
  client_id: number;
  agent_id: number;
  /** Hex SHA-256 of the token; the token itself is shown once. */
  token_hash: string;
  /** JSON text: phone, email, external_id, firstname, lastname. */
  recipient: string;
  /** JSON text: the variables in the chat's context. */
  variables: string;
  reference: string | null;
  multiple_use: Flag;
  expires_at: Instant;
  revoked_at: Instant | null;
  first_used_at: Instant | null;
  uses: Generated<number>;
  message_id: number | null;
  created_at: Instant;
}

export type ChatTokenRow = Selectable<ChatTokenTable>;

/** A canned response (domain/canned/): shared by a client's operators, or one operator's own. */
export interface CannedResponseTable {
  id: Generated<number>;
  client_id: number;
  scope: 'shared' | 'personal';
  operator_id: number | null;
  /** 0 for shared responses, else `operator_id`: the unique index on the shortcut keys on it. */
  owner_key: number;
  shortcut: string;
  title: string;
  body: string;
  website_id: number | null;
  /** JSON text: a list of attachment URLs. */
  attachments: string;
  created_at: Instant;
  updated_at: Instant;
}
export type CannedResponseRow = Selectable<CannedResponseTable>;

/** A conversation's transcript to e-mail (domain/conversations/transcript*.ts), claimed and sent by the transcript worker. */
export interface TranscriptMailTable {
  id: Generated<number>;
  client_id: number;
  conversation_id: number;
  email: string;
  locale: 'en' | 'fr';
  /** `queued` until sent (also between attempts), `failed` once the worker gave up. */
  status: 'queued' | 'sent' | 'failed';
  attempts: Generated<number>;
  /** The last attempt's error (kept while a retry is due, and when failed). */
  error: string | null;
  /** The operator whose console session asked for it; null for an API key. */
  operator_id: number | null;
  created_at: Instant;
  updated_at: Instant;
  /** When the next attempt is due. */
  due_at: Instant;
  sent_at: Instant | null;
  lease_owner: string | null;
  lease_until: Instant | null;
}
export type TranscriptMailRow = Selectable<TranscriptMailTable>;
