// Queries for conversations, their history and tags, limited to the clients the principal may see.
import type { Kysely } from 'kysely';
import { type IdPage, inIdOrder, pageOfIds } from '../../db/paging.js';
import { preparedQuery } from '../../db/prepared.js';
import type { ConversationMessageRow, ConversationRow, Database, TagRow } from '../../db/schema.js';
import { CONTACT_TYPES, CONVERSATION_MESSAGE_COLUMNS } from '../../db/schema.js';
import { fieldInvalid } from '../../errors.js';
import type { ListQuery } from '../../list-query.js';
import { rankedConversationPage } from '../search/list.js';
import { clientScope, type Principal } from '../tenancy/policy.js';
import { conversationPeriod } from './period.js';
import { CHANNELS } from './schema.js';

export type ConversationFilter =
  | 'channel'
  | 'from'
  | 'to'
  | 'website_id'
  | 'operator_id'
  | 'visitor_id'
  | 'skill_id'
  | 'tag_id'
  | 'rule_id'
  | 'status'
  | 'contact_type'
  | 'q';
const STATUSES = ['waiting', 'open', 'closed'] as const;
export type TagFilter = 'website_id' | 'archived';

/** A conversation with what its API shape needs besides its row. */
export interface ConversationRecord extends ConversationRow {
  visitor_uid: string;
  tag_list: number[];
  messages: ConversationMessageRow[];
}

export interface TagRecord extends TagRow {
  website_id: number[];
}

type NullableIdColumn = 'conversation.operator_id' | 'conversation.skill_id' | 'conversation.rule_id';

/**
 * One page of conversation ids, newest first (by `created_at`, then id, so imported conversations sit at
 * their own date), always within seed 003's 3-month period.
 */
export async function listConversationIds(
  db: Kysely<Database>,
  principal: Principal,
  query: ListQuery<ConversationFilter>,
  now: Date,
): Promise<IdPage> {
  const { channel, from, to, website_id, operator_id, visitor_id, skill_id, tag_id, rule_id, status, contact_type } =
    query.filters;
  if (channel !== undefined && !(CHANNELS as readonly unknown[]).includes(channel)) {
    throw fieldInvalid('filters[channel]', `Expected one of: ${CHANNELS.join(', ')}.`);
  }
  if (status !== undefined && !(STATUSES as readonly unknown[]).includes(status)) {
    throw fieldInvalid('filters[status]', `Expected one of: ${STATUSES.join(', ')}.`);
  }
  if (contact_type !== undefined && !(CONTACT_TYPES as readonly unknown[]).includes(contact_type)) {
    throw fieldInvalid('filters[contact_type]', `Expected one of: ${CONTACT_TYPES.join(', ')}.`);
  }
  const period = conversationPeriod(
    typeof from === 'string' ? from : undefined,
    typeof to === 'string' ? to : undefined,
    now,
  );
  let matches = db
    .selectFrom('conversation')
    .where(clientScope(principal, 'conversation.client_id'))
    .where('conversation.created_at', '>=', period.start.toISOString())
    .where('conversation.created_at', '<', period.endExclusive.toISOString());
  if (typeof channel === 'string')
    matches = matches.where('conversation.channel', '=', channel as (typeof CHANNELS)[number]);
  if (typeof website_id === 'number') matches = matches.where('conversation.website_id', '=', website_id);
  if (typeof status === 'string')
    matches = matches.where('conversation.status', '=', status as (typeof STATUSES)[number]);
  if (typeof contact_type === 'string')
    matches = matches.where('conversation.contact_type', '=', contact_type as (typeof CONTACT_TYPES)[number]);
  if (typeof visitor_id === 'number') matches = matches.where('conversation.visitor_id', '=', visitor_id);
  if (typeof tag_id === 'number') {
    matches = matches.where(
      'conversation.id',
      'in',
      db.selectFrom('conversation_tag').select('conversation_id').where('tag_id', '=', tag_id),
    );
  }
  const nullable: Array<[NullableIdColumn, string | number | boolean | undefined]> = [
    ['conversation.operator_id', operator_id],
    ['conversation.skill_id', skill_id],
    ['conversation.rule_id', rule_id],
  ];
  for (const [column, value] of nullable) {
    if (typeof value === 'number') matches = matches.where(column, '=', value);
    else if (value === 'null') matches = matches.where(column, 'is', null);
    else if (value === '!null') matches = matches.where(column, 'is not', null);
  }
  // With `q`, the same conversations ranked by the full-text search instead of by date.
  if (query.filters.q !== undefined)
    return rankedConversationPage(db, principal, query.filters.q, matches.select('conversation.id'), query);
  const counted = await matches.select((eb) => eb.fn.countAll<number>().as('count')).executeTakeFirstOrThrow();
  const count = Number(counted.count);
  if (count === 0 || (query.page - 1) * query.limit >= count) return { ids: [], count };
  const rows = await matches
    .select('conversation.id')
    .orderBy('conversation.created_at', 'desc')
    .orderBy('conversation.id', 'desc')
    .limit(query.limit)
    .offset((query.page - 1) * query.limit)
    .execute();
  return { ids: rows.map((row) => Number(row.id)), count };
}

/** Loads conversations with their visitor unique id, tags and history (ordered by `seq`). */
export async function loadConversations(
  db: Kysely<Database>,
  principal: Principal,
  ids: number[],
): Promise<ConversationRecord[]> {
  if (ids.length === 0) return [];
  const rows = await db
    .selectFrom('conversation')
    .innerJoin('visitor', 'visitor.id', 'conversation.visitor_id')
    .selectAll('conversation')
    .select('visitor.unique_id as visitor_uid')
    .where('conversation.id', 'in', ids)
    .where(clientScope(principal, 'conversation.client_id'))
    .execute();
  if (rows.length === 0) return [];
  const found = rows.map((row) => row.id);
  const tags = await db
    .selectFrom('conversation_tag')
    .select(['conversation_id', 'tag_id'])
    .where('conversation_id', 'in', found)
    .orderBy('tag_id')
    .execute();
  const messages = await db
    .selectFrom('conversation_message')
    .select(CONVERSATION_MESSAGE_COLUMNS)
    .where('conversation_id', 'in', found)
    .orderBy('conversation_id')
    .orderBy('seq')
    .execute();
  return inIdOrder(
    ids,
    rows.map((row) => ({
      ...row,
      tag_list: tags.filter((tag) => tag.conversation_id === row.id).map((tag) => tag.tag_id),
      messages: messages.filter((message) => message.conversation_id === row.id),
    })),
  );
}

/** Loads conversation rows alone (no history): enough to check visibility and state before a change. */
export function loadConversationRows(
  db: Kysely<Database>,
  principal: Principal,
  ids: number[],
): Promise<ConversationRow[]> {
  if (ids.length === 0) return Promise.resolve([]);
  return db
    .selectFrom('conversation')
    .selectAll()
    .where('id', 'in', ids)
    .where(clientScope(principal, 'conversation.client_id'))
    .execute();
}

/** History entries of one conversation after `afterSeq`, oldest first, and how many there are after it. */
export async function listMessages(
  db: Kysely<Database>,
  conversationId: number,
  afterSeq: number,
  limit: number,
): Promise<{ rows: ConversationMessageRow[]; count: number }> {
  const base = db
    .selectFrom('conversation_message')
    .where('conversation_id', '=', conversationId)
    .where('seq', '>', afterSeq);
  const counted = await base.select((eb) => eb.fn.countAll<number>().as('count')).executeTakeFirstOrThrow();
  const rows = await base.selectAll().orderBy('seq').limit(limit).execute();
  return { rows, count: Number(counted.count) };
}

export function listTagIds(db: Kysely<Database>, principal: Principal, query: ListQuery<TagFilter>): Promise<IdPage> {
  let matches = db.selectFrom('tag').select('id').where(clientScope(principal, 'tag.client_id'));
  const { website_id, archived } = query.filters;
  if (typeof archived === 'boolean') matches = matches.where('archived', '=', archived ? 1 : 0);
  if (typeof website_id === 'number')
    matches = matches.where(
      'id',
      'in',
      db.selectFrom('tag_website').select('tag_id').where('website_id', '=', website_id),
    );
  return pageOfIds(db, matches, query.page, query.limit);
}

/** Loads tags with their website lists. */
export async function loadTags(db: Kysely<Database>, principal: Principal, ids: number[]): Promise<TagRecord[]> {
  if (ids.length === 0) return [];
  const rows = await db
    .selectFrom('tag')
    .selectAll()
    .where('id', 'in', ids)
    .where(clientScope(principal, 'tag.client_id'))
    .execute();
  if (rows.length === 0) return [];
  const links = await db
    .selectFrom('tag_website')
    .select(['tag_id', 'website_id'])
    .where(
      'tag_id',
      'in',
      rows.map((row) => row.id),
    )
    .orderBy('website_id')
    .execute();
  return inIdOrder(
    ids,
    rows.map((row) => ({
      ...row,
      website_id: links.filter((link) => link.tag_id === row.id).map((link) => link.website_id),
    })),
  );
}

/**
 * Where a conversation reaches its customer: its source (`whatsapp`, `sms`, `rcs`, `chat`…) and phone number. Prepared
 * (db/prepared.ts): the flows' and the messenger's feeds read it for every customer message.
 */
export const conversationAddress = preparedQuery((db, p: { id: number }) =>
  db.selectFrom('conversation').select(['source', 'phone_number']).where('id', '=', p.id),
);
