// Reads of the realtime gateway: history after a seq, conversation states, an operator's conversations and websites.
import type { Kysely } from 'kysely';
import { type ConversationMessageRow, type Database, NOT_CLOSED } from '../db/schema.js';
import type { ConversationState } from './messages.js';

type Db = Kysely<Database>;

/** History rows a resume or a gap read needs, each with its seq. */
export type HistoryRow = Pick<
  ConversationMessageRow,
  'seq' | 'kind' | 'body' | 'operator_id' | 'created_at' | 'data' | 'client_message_id'
>;

/** At most this many entries answer one resume: a client that is further behind asks again from the last seq it got. */
export const HISTORY_PAGE = 1000;

/** Entries of a conversation with `seq` greater than `afterSeq`, oldest first (notes included: the caller filters by audience). */
export async function historyAfter(
  db: Db,
  conversationId: number,
  afterSeq: number,
  limit = HISTORY_PAGE,
): Promise<HistoryRow[]> {
  return db
    .selectFrom('conversation_message')
    .select(['seq', 'kind', 'body', 'operator_id', 'created_at', 'data', 'client_message_id'])
    .where('conversation_id', '=', conversationId)
    .where('seq', '>', afterSeq)
    .orderBy('seq')
    .limit(limit)
    .execute();
}

/** The name a visitor sees for an operator: the pseudonym, else the first name, else the name. */
export function displayName(operator: { name: string; first_name: string | null; pseudo: string | null }): string {
  return operator.pseudo?.trim() || operator.first_name?.trim() || operator.name;
}

/** A conversation's live state, or undefined when it does not exist. */
export async function conversationState(db: Db, conversationId: number): Promise<ConversationState | undefined> {
  const row = await db
    .selectFrom('conversation')
    .leftJoin('operator', 'operator.id', 'conversation.operator_id')
    .select([
      'conversation.id',
      'conversation.website_id',
      'conversation.visitor_id',
      'conversation.status',
      'conversation.operator_id',
      'conversation.skill_id',
      'conversation.outcome',
      'conversation.last_seq',
      'operator.name',
      'operator.first_name',
      'operator.pseudo',
    ])
    .where('conversation.id', '=', conversationId)
    .executeTakeFirst();
  if (row === undefined) return undefined;
  return {
    id: row.id,
    websiteId: row.website_id,
    visitorId: row.visitor_id,
    status: row.status,
    operatorId: row.operator_id,
    operatorName:
      row.name === null ? null : displayName({ name: row.name, first_name: row.first_name, pseudo: row.pseudo }),
    skillId: row.skill_id,
    outcome: row.outcome,
    lastSeq: Number(row.last_seq),
  };
}

/** The visitor's most recent conversation on the website that is not closed, if any. */
export async function activeVisitorConversation(
  db: Db,
  visitorId: number,
  websiteId: number,
): Promise<number | undefined> {
  const row = await db
    .selectFrom('conversation')
    .select('id')
    .where('visitor_id', '=', visitorId)
    .where('website_id', '=', websiteId)
    .where('status', '!=', 'closed')
    .orderBy('id', 'desc')
    .executeTakeFirst();
  return row?.id;
}

/** The conversation if it is this visitor's, on this website (anything else answers undefined, as an absent one). */
export async function visitorOwnsConversation(
  db: Db,
  conversationId: number,
  visitorId: number,
  websiteId: number,
): Promise<boolean> {
  const row = await db
    .selectFrom('conversation')
    .select('id')
    .where('id', '=', conversationId)
    .where('visitor_id', '=', visitorId)
    .where('website_id', '=', websiteId)
    .executeTakeFirst();
  return row !== undefined;
}

/** The conversations an operator holds: assigned to them and not closed, oldest first. */
export async function operatorConversationIds(db: Db, operatorId: number): Promise<number[]> {
  const rows = await db
    .selectFrom('conversation')
    .select('id')
    .where('operator_id', '=', operatorId)
    .where('status', 'in', NOT_CLOSED)
    .orderBy('id')
    .execute();
  return rows.map((row) => row.id);
}

/** The websites an operator answers on. */
export async function operatorWebsiteIds(db: Db, operatorId: number): Promise<number[]> {
  const rows = await db
    .selectFrom('operator_website')
    .select('website_id')
    .where('operator_id', '=', operatorId)
    .orderBy('website_id')
    .execute();
  return rows.map((row) => row.website_id);
}

/** Waiting conversations per website (the queue size an operator sees). */
export async function waitingCounts(db: Db, websiteIds: readonly number[]): Promise<Map<number, number>> {
  const counts = new Map<number, number>(websiteIds.map((id) => [id, 0]));
  if (websiteIds.length === 0) return counts;
  const rows = await db
    .selectFrom('conversation')
    .select(['website_id', (eb) => eb.fn.countAll<number>().as('waiting')])
    .where('website_id', 'in', [...websiteIds])
    .where('status', '=', 'waiting')
    .groupBy('website_id')
    .execute();
  for (const row of rows) counts.set(row.website_id, Number(row.waiting));
  return counts;
}

/** What an operator sees of the visitor of a conversation. */
export interface VisitorCard {
  id: number;
  vuid: string;
  external_id: string | null;
  email: string | null;
  firstname: string | null;
  lastname: string | null;
}

/** Details an operator needs beside the state: the visitor, the channel, when it started, the read positions. */
export type ConversationCard = NonNullable<Awaited<ReturnType<typeof conversationCard>>>;

/** Reads a conversation's card (undefined when it does not exist). */
export async function conversationCard(db: Db, conversationId: number) {
  return db
    .selectFrom('conversation')
    .innerJoin('visitor', 'visitor.id', 'conversation.visitor_id')
    .select([
      'conversation.channel',
      'conversation.source',
      'conversation.page_type',
      'conversation.created_at',
      'conversation.visitor_read_seq',
      'conversation.operator_read_seq',
      'visitor.id as visitor_id',
      'visitor.unique_id',
      'visitor.external_id',
      'visitor.email',
      'visitor.firstname',
      'visitor.lastname',
    ])
    .where('conversation.id', '=', conversationId)
    .executeTakeFirst();
}

/** The operator's live flags, as the socket reports them after a change. */
export async function operatorLiveFlags(db: Db, operatorId: number) {
  return db
    .selectFrom('operator')
    .select(['connected', 'chat_available', 'call_available', 'video_available'])
    .where('id', '=', operatorId)
    .executeTakeFirst();
}
