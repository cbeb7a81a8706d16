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
  created_at: Instant;
  updated_at: Instant;
}

export interface WebsiteTable {
  id: Generated<number>;
  client_id: number;
  url: string;
  label: string;
  created_at: Instant;
  updated_at: Instant;
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
  sso_key: string;
  /** Presence and availability: maintained by the live-conversation layer, 0 when created. */
  connected: Generated<Flag>;
  chat_available: Generated<Flag>;
  call_available: Generated<Flag>;
  video_available: Generated<Flag>;
  created_at: Instant;
  updated_at: Instant;
  /** Operators are soft-deleted so past conversations keep their operator. */
  deleted_at: Instant | null;
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

export interface Database {
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
