// Reads behind the v1 API, always limited to one client: operators, websites, conversation histories, sales, survey answers, presence.
import type { Kysely } from 'kysely';
import {
  type ConversationRow,
  type Database,
  MESSAGE_KIND,
  type MessageKind,
  type OperatorRow,
  type WebsiteRow,
} from '../../db/schema.js';

/** A period of stored instants: `start` included, `end` excluded (ISO text compares as time does). */
export interface Period {
  start?: string;
  end?: string;
}

/** Long `in (…)` lists are split so neither SQLite nor PostgreSQL meets its parameter limit. */
const CHUNK = 500;

function chunks<T>(values: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let index = 0; index < values.length; index += CHUNK) out.push(values.slice(index, index + CHUNK));
  return out;
}

/** An operator as v1 lists it, with the number of conversations it has open now. */
export interface OperatorListRow extends OperatorRow {
  open_conversations: number;
}

/** The client's live operators (all, or those linked to one website), oldest first. */
export async function listClientOperators(
  db: Kysely<Database>,
  clientId: number,
  websiteId?: number,
): Promise<OperatorListRow[]> {
  let query = db.selectFrom('operator').selectAll().where('client_id', '=', clientId).where('deleted_at', 'is', null);
  if (websiteId !== undefined)
    query = query.where(
      'id',
      'in',
      db.selectFrom('operator_website').select('operator_id').where('website_id', '=', websiteId),
    );
  const rows = await query.orderBy('id').execute();
  const open = new Map<number, number>();
  for (const ids of chunks(rows.map((row) => row.id))) {
    const counts = await db
      .selectFrom('conversation')
      .select((eb) => ['operator_id', eb.fn.countAll().as('n')])
      .where('client_id', '=', clientId)
      .where('status', '=', 'open')
      .where('operator_id', 'in', ids)
      .groupBy('operator_id')
      .execute();
    for (const count of counts) if (count.operator_id !== null) open.set(count.operator_id, Number(count.n));
  }
  return rows.map((row) => ({ ...row, open_conversations: open.get(row.id) ?? 0 }));
}

/** One of the client's operators; deleted ones only when asked (their history and figures stay readable). */
export async function findOperator(
  db: Kysely<Database>,
  clientId: number,
  operatorId: number,
  options: { includeDeleted?: boolean } = {},
): Promise<OperatorRow | undefined> {
  let query = db.selectFrom('operator').selectAll().where('client_id', '=', clientId).where('id', '=', operatorId);
  if (!options.includeDeleted) query = query.where('deleted_at', 'is', null);
  return query.executeTakeFirst();
}

/** Ids of the client's operators having this external id (exact match). */
export async function operatorIdsByExternalId(
  db: Kysely<Database>,
  clientId: number,
  externalId: string,
  options: { includeDeleted?: boolean } = {},
): Promise<number[]> {
  let query = db
    .selectFrom('operator')
    .select('id')
    .where('client_id', '=', clientId)
    .where('external_id', '=', externalId);
  if (!options.includeDeleted) query = query.where('deleted_at', 'is', null);
  return (await query.orderBy('id').execute()).map((row) => row.id);
}

/** Ids of the client's operators (deleted ones included) whose name is `name`, ignoring case and surrounding spaces. */
export async function operatorIdsByName(db: Kysely<Database>, clientId: number, name: string): Promise<number[]> {
  // Compared in JavaScript: SQLite's lower() folds ASCII only, and names are often accented.
  const wanted = name.trim().toLocaleLowerCase('fr');
  const rows = await db
    .selectFrom('operator')
    .select(['id', 'name'])
    .where('client_id', '=', clientId)
    .orderBy('id')
    .execute();
  return rows.filter((row) => row.name.trim().toLocaleLowerCase('fr') === wanted).map((row) => row.id);
}

export async function findWebsite(
  db: Kysely<Database>,
  clientId: number,
  websiteId: number,
): Promise<WebsiteRow | undefined> {
  return db
    .selectFrom('website')
    .selectAll()
    .where('client_id', '=', clientId)
    .where('id', '=', websiteId)
    .executeTakeFirst();
}

export async function listClientWebsites(db: Kysely<Database>, clientId: number): Promise<WebsiteRow[]> {
  return db.selectFrom('website').selectAll().where('client_id', '=', clientId).orderBy('id').execute();
}

export interface HistoryFilters {
  period: Period;
  operatorIds?: number[];
  visitorExternalId?: string;
  ruleId?: number;
  conversationId?: number;
}

export interface HistoryMessage {
  kind: MessageKind;
  body: string;
  created_at: string;
}

/** A conversation with what v1's history shows about it. */
export interface HistoryRow
  extends Pick<ConversationRow, 'id' | 'operator_id' | 'created_at' | 'closed_at' | 'user_agent'> {
  operator_name: string | null;
  group_name: string | null;
  visitor_uid: string;
  visitor_external_id: string | null;
  visitor_browser: string | null;
  messages: HistoryMessage[];
}

function historyQuery(db: Kysely<Database>, clientId: number, filters: HistoryFilters) {
  let query = db
    .selectFrom('conversation')
    .innerJoin('visitor', 'visitor.id', 'conversation.visitor_id')
    .leftJoin('operator', 'operator.id', 'conversation.operator_id')
    .leftJoin('operator_group', 'operator_group.id', 'operator.group_id')
    .where('conversation.client_id', '=', clientId);
  const { period, operatorIds, visitorExternalId, ruleId, conversationId } = filters;
  if (period.start !== undefined) query = query.where('conversation.created_at', '>=', period.start);
  if (period.end !== undefined) query = query.where('conversation.created_at', '<', period.end);
  if (operatorIds !== undefined)
    query = query.where('conversation.operator_id', 'in', operatorIds.length > 0 ? operatorIds : [0]);
  if (visitorExternalId !== undefined) query = query.where('visitor.external_id', '=', visitorExternalId);
  if (ruleId !== undefined) query = query.where('conversation.rule_id', '=', ruleId);
  if (conversationId !== undefined) query = query.where('conversation.id', '=', conversationId);
  return query;
}

/** How many conversations the history filters match, to refuse exports too large to answer in one piece. */
export async function countHistory(db: Kysely<Database>, clientId: number, filters: HistoryFilters): Promise<number> {
  const row = await historyQuery(db, clientId, filters)
    .select((eb) => eb.fn.countAll().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Conversations matching the filters, newest first, each with its history in order. */
export async function listHistory(
  db: Kysely<Database>,
  clientId: number,
  filters: HistoryFilters,
): Promise<HistoryRow[]> {
  const rows = await historyQuery(db, clientId, filters)
    .select([
      'conversation.id',
      'conversation.operator_id',
      'conversation.created_at',
      'conversation.closed_at',
      'conversation.user_agent',
      'operator.name as operator_name',
      'operator_group.name as group_name',
      'visitor.unique_id as visitor_uid',
      'visitor.external_id as visitor_external_id',
      'visitor.browser as visitor_browser',
    ])
    .orderBy('conversation.created_at', 'desc')
    .orderBy('conversation.id', 'desc')
    .execute();
  const messages = new Map<number, HistoryMessage[]>();
  for (const ids of chunks(rows.map((row) => row.id))) {
    const found = await db
      .selectFrom('conversation_message')
      .select(['conversation_id', 'kind', 'body', 'created_at'])
      .where('conversation_id', 'in', ids)
      .orderBy('conversation_id')
      .orderBy('seq')
      // Private notes are the operators' own; the v1 history is the conversation the visitor had.
      .where('kind', '!=', MESSAGE_KIND.note)
      .execute();
    for (const message of found) {
      const list = messages.get(message.conversation_id) ?? [];
      list.push({ kind: message.kind, body: message.body, created_at: message.created_at });
      messages.set(message.conversation_id, list);
    }
  }
  return rows.map((row) => ({ ...row, messages: messages.get(row.id) ?? [] }));
}

/** A sale with the operator it is credited to: the one who reported it, else the one of its conversation. */
export interface SaleListRow {
  id: number;
  external_id: string;
  amount: number;
  created_at: string;
  conversation_id: number | null;
  operator_name: string | null;
  email: string | null;
}

export async function listSales(
  db: Kysely<Database>,
  clientId: number,
  period: Period,
  options: { chattedOnly: boolean },
): Promise<SaleListRow[]> {
  let query = db
    .selectFrom('sale')
    .leftJoin('conversation', 'conversation.id', 'sale.conversation_id')
    .leftJoin('operator', (join) =>
      join.on((eb) => eb('operator.id', '=', eb.fn.coalesce('sale.operator_id', 'conversation.operator_id'))),
    )
    .leftJoin('visitor', 'visitor.id', 'sale.visitor_id')
    .select((eb) => [
      'sale.id',
      'sale.external_id',
      'sale.amount',
      'sale.created_at',
      'sale.conversation_id',
      'operator.name as operator_name',
      eb.fn.coalesce('sale.visitor_email', 'visitor.email').as('email'),
    ])
    .where('sale.client_id', '=', clientId);
  if (period.start !== undefined) query = query.where('sale.created_at', '>=', period.start);
  if (period.end !== undefined) query = query.where('sale.created_at', '<', period.end);
  if (options.chattedOnly) query = query.where('sale.conversation_id', 'is not', null);
  const rows = await query.orderBy('sale.created_at', 'desc').orderBy('sale.id', 'desc').execute();
  return rows.map((row) => ({ ...row, amount: Number(row.amount) }));
}

/** A survey answer with the operator of its conversation (the one recorded on the answer, else the conversation's). */
export interface SatisfactionListRow {
  id: number;
  conversation_id: number;
  operator_name: string | null;
  note_welcome: number;
  note_delay: number;
  note_resolution: number;
  comment: string;
  created_at: string;
}

export async function listSatisfactions(
  db: Kysely<Database>,
  clientId: number,
  period: Period,
  operatorIds?: number[],
): Promise<SatisfactionListRow[]> {
  let query = db
    .selectFrom('satisfaction')
    .innerJoin('conversation', 'conversation.id', 'satisfaction.conversation_id')
    .leftJoin('operator', (join) =>
      join.on((eb) => eb('operator.id', '=', eb.fn.coalesce('satisfaction.operator_id', 'conversation.operator_id'))),
    )
    .select([
      'satisfaction.id',
      'satisfaction.conversation_id',
      'operator.name as operator_name',
      'satisfaction.note_welcome',
      'satisfaction.note_delay',
      'satisfaction.note_resolution',
      'satisfaction.comment',
      'satisfaction.created_at',
    ])
    .where('satisfaction.client_id', '=', clientId);
  if (period.start !== undefined) query = query.where('satisfaction.created_at', '>=', period.start);
  if (period.end !== undefined) query = query.where('satisfaction.created_at', '<', period.end);
  if (operatorIds !== undefined) query = query.where('operator.id', 'in', operatorIds.length > 0 ? operatorIds : [0]);
  return query.orderBy('satisfaction.created_at', 'desc').orderBy('satisfaction.id', 'desc').execute();
}

/** An operator of v1 getStats: its figures come from the statistics rollups (domain/statistics/operator-figures.ts). */
export type StatsOperator = Pick<OperatorRow, 'id' | 'name' | 'deleted_at'>;

/** The client's operators v1 getStats lists, limited to `operatorIds` when given, by id. */
export async function loadStatsOperators(
  db: Kysely<Database>,
  clientId: number,
  operatorIds?: number[],
): Promise<StatsOperator[]> {
  const only = operatorIds === undefined ? undefined : operatorIds.length > 0 ? operatorIds : [0];
  let operators = db.selectFrom('operator').select(['id', 'name', 'deleted_at']).where('client_id', '=', clientId);
  if (only) operators = operators.where('id', 'in', only);
  return operators.orderBy('id').execute();
}
