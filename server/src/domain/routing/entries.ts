// What every routing command shares: the system entries it writes, the fields its events carry, an assignment.
import type { Transaction } from 'kysely';
import {
  CONVERSATION_MESSAGE_COLUMNS,
  type ConversationMessageRow,
  type Database,
  MESSAGE_KIND,
} from '../../db/schema.js';
import { appendMessage } from '../conversations/commands.js';
import type { LiveChannel } from '../people/live-schema.js';
import type { RoutedConversation } from './store.js';

export type Tx = Transaction<Database>;

/** System notice of an assignment (its `data`: `{"event":"assigned","operator_id":N}`). */
export const OPERATOR_CHAT_ASSIGNED = 'OPERATOR_CHAT_ASSIGNED';
/** System notice of a transfer (its `data`: `{"event":"transferred","from":N,"to":M,…}`). */
export const OPERATOR_CHAT_TRANSFERRED = 'OPERATOR_CHAT_TRANSFERRED';

/** A conversation given to an operator by routing: what the gateway announces to both sides. */
export interface Assignment {
  conversationId: number;
  websiteId: number;
  clientId: number;
  channel: LiveChannel;
  visitorId: number;
  operatorId: number;
  /** From the visitor's request to the first assignment (a conversation sent back to the queue keeps its first wait). */
  waitMs: number;
  /** The system entry announcing the assignment (its `seq` orders it in the conversation). */
  entry: ConversationMessageRow;
}

/** Fields every routing event carries (seed 003's webhooks name conversation, website, visitor and channel). */
export function eventBase(conversation: RoutedConversation) {
  return {
    conversationId: conversation.id,
    websiteId: conversation.website_id,
    clientId: conversation.client_id,
    channel: conversation.channel,
    visitorId: conversation.visitor_id,
    skillId: conversation.skill_id,
  };
}

/** Appends a system entry with its JSON details. */
export async function appendSystemEntry(
  trx: Tx,
  conversationId: number,
  text: string,
  data: Record<string, unknown>,
  at: string,
): Promise<ConversationMessageRow> {
  return appendMessage(trx, conversationId, { kind: MESSAGE_KIND.system, text, at, data });
}

/** The entries of a conversation after `seq`, in order: what a command wrote, for the gateway to deliver. */
export async function entriesAfter(trx: Tx, conversationId: number, seq: number): Promise<ConversationMessageRow[]> {
  return trx
    .selectFrom('conversation_message')
    .select(CONVERSATION_MESSAGE_COLUMNS)
    .where('conversation_id', '=', conversationId)
    .where('seq', '>', seq)
    .orderBy('seq')
    .execute();
}

export async function lastSeq(trx: Tx, conversationId: number): Promise<number> {
  const row = await trx
    .selectFrom('conversation')
    .select('last_seq')
    .where('id', '=', conversationId)
    .executeTakeFirstOrThrow();
  return Number(row.last_seq);
}
