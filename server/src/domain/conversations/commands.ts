// State changes of conversations that run inside a caller's transaction, so the realtime layer, the channel adapters,
// routing and the flows reuse them: appendMessage, openConversation, changeConversation, closeConversation, and an
// operator writing through an API (writingOperator, actAsOperator). The REST API's own commands, one transaction each,
// are in api-commands.ts; tags' in tag-commands.ts.
import { randomUUID } from 'node:crypto';
import type { Transaction } from 'kysely';
import { planProviderMessage, queueProviderMessage } from '../../channels/outbox.js';
import { preparedQuery } from '../../db/prepared.js';
import {
  type ContactType,
  type ConversationChannel,
  type ConversationMessageRow,
  type ConversationSource,
  type ConversationStatus,
  type Database,
  MESSAGE_KIND,
  type MessageKind,
} from '../../db/schema.js';
import { conflict, fieldInvalid, unknownResource } from '../../errors.js';
import { appendEvent } from '../../events/append.js';
import { nowInstant } from '../../time.js';
import { endHolding, startHolding } from '../people/history.js';
import { assertOwned } from '../tenancy/policy.js';
import { kindName, OPERATOR_CHAT_CLOSE, VISITOR_CHAT_CLOSE } from './history.js';

type Tx = Transaction<Database>;

// Shared with api-commands.ts and tag-commands.ts.
export const unique = <T>(values: readonly T[]): T[] => [...new Set(values)];
export const flag = (value: boolean): number => (value ? 1 : 0);
export const sameIds = (a: readonly number[], b: readonly number[]): boolean =>
  a.length === b.length && a.every((id, index) => id === b[index]);

// ——— Reusable commands (inside the caller's transaction) ———

export interface MessageEntry {
  kind: MessageKind;
  /** Message text, system notice, or (navigation) the page URL. */
  text: string;
  /** Operator messages: who wrote it; defaults to the conversation's operator. Must be absent for other kinds. */
  operatorId?: number | null;
  /** When the entry happened (stored instant). */
  at: string;
  /** JSON details of a system entry (`{event: 'assigned', operator_id: 3}`). */
  data?: Record<string, unknown>;
  /** The sender's own id of the message, so that a resend is recognised (unique per conversation). */
  clientMessageId?: string | null;
}

/** What appending a message reads of its conversation, with the seq it took. */
const BUMPED = ['last_seq', 'client_id', 'website_id', 'channel', 'operator_id', 'visitor_id', 'answered_at'] as const;

/** Takes the conversation's next seq; unless `closedToo`, a closed one refuses it (prepared: every message runs it). */
const bumpSeq = (closedToo: boolean) =>
  preparedQuery((db, p: { id: number; at: string }) => {
    const bump = db
      .updateTable('conversation')
      .set((eb) => ({ last_seq: eb('last_seq', '+', 1), updated_at: p.at }))
      .where('id', '=', p.id);
    return (closedToo ? bump : bump.where('status', '!=', 'closed')).returning(BUMPED);
  });
const bumpOpenSeq = bumpSeq(false);
/** The closing notice itself is written in a closed conversation. */
const bumpAnySeq = bumpSeq(true);

const insertMessage = preparedQuery(
  (
    db,
    p: {
      conversationId: number;
      seq: number;
      kind: MessageKind;
      operatorId: number | null;
      body: string;
      createdAt: string;
      data: string | null;
      clientMessageId: string | null;
    },
  ) =>
    db
      .insertInto('conversation_message')
      .values({
        conversation_id: p.conversationId,
        seq: p.seq,
        kind: p.kind,
        operator_id: p.operatorId,
        body: p.body,
        created_at: p.createdAt,
        data: p.data,
        client_message_id: p.clientMessageId,
      })
      .returningAll(),
);

/**
 * Appends one history entry: allocates the next `seq` by incrementing `conversation.last_seq` in this
 * transaction (the UPDATE also locks the row, so concurrent appends are numbered one after the other),
 * marks the conversation answered on its first operator message, and emits `message.created`.
 * A closed conversation refuses entries (409) unless `allowClosed` (the closing notice itself).
 */
export async function appendMessage(
  trx: Tx,
  conversationId: number,
  entry: MessageEntry,
  options: { allowClosed?: boolean } = {},
): Promise<ConversationMessageRow> {
  // Checked before anything is written: a reply that cannot be sent (e.g. outside WhatsApp's 24-hour window) is
  // refused whole, even inside a batch that commits other messages.
  const outbound =
    entry.kind === MESSAGE_KIND.operator ? await planProviderMessage(trx, conversationId, entry) : undefined;
  const bump = options.allowClosed ? bumpAnySeq : bumpOpenSeq;
  const conversation = await bump.first(trx, { id: conversationId, at: nowInstant() });
  if (!conversation) {
    const exists = await trx
      .selectFrom('conversation')
      .select('id')
      .where('id', '=', conversationId)
      .executeTakeFirst();
    if (!exists) throw unknownResource('conversation', conversationId);
    throw conflict(`Conversation ${conversationId} is closed.`);
  }
  let operatorId: number | null = null;
  if (entry.kind === MESSAGE_KIND.operator || entry.kind === MESSAGE_KIND.note) {
    operatorId = entry.operatorId ?? conversation.operator_id;
    if (operatorId === null)
      throw fieldInvalid('operator_id', 'The conversation has no operator: name the operator who writes.');
  } else if (entry.operatorId != null) {
    throw fieldInvalid('operator_id', 'Only operator messages and notes have an operator.');
  }
  const seq = Number(conversation.last_seq);
  const row = await insertMessage.first(trx, {
    conversationId,
    seq,
    kind: entry.kind,
    operatorId,
    body: entry.text,
    createdAt: entry.at,
    data: entry.data === undefined ? null : JSON.stringify(entry.data),
    clientMessageId: entry.clientMessageId ?? null,
  });
  if (row === undefined) throw new Error(`Message ${seq} of conversation ${conversationId} was not stored.`);
  // A reply in a WhatsApp, SMS or RCS conversation is queued for its provider in this same transaction.
  if (outbound !== undefined) await queueProviderMessage(trx, outbound, seq);
  if (entry.kind === MESSAGE_KIND.operator && conversation.answered_at === null) {
    await trx
      .updateTable('conversation')
      .set({ operator_answer: 1, answered_at: entry.at })
      .where('id', '=', conversationId)
      .execute();
  }
  await appendEvent(trx, {
    type: 'message.created',
    clientId: conversation.client_id,
    subject: { type: 'conversation', id: conversationId },
    payload: {
      conversationId,
      websiteId: conversation.website_id,
      clientId: conversation.client_id,
      channel: conversation.channel,
      visitorId: conversation.visitor_id,
      seq,
      type: kindName(entry.kind),
      operatorId,
      // Queued for WhatsApp, SMS or RCS in this transaction: its delivery state starts at `queued`.
      ...(outbound !== undefined && { outbound: true }),
    },
    at: nowInstant(),
    message: row,
  });
  return row;
}

export interface OpenConversationInput {
  clientId: number;
  websiteId: number;
  channel: ConversationChannel;
  source: ConversationSource;
  visitor: { id: number; uniqueId: string };
  operatorId?: number | null;
  skillId?: number | null;
  ruleId?: number | null;
  pageType?: string | null;
  /** Who started it (default `visitor`): `proactive` from an accepted invitation, `outbound` by an operator or the API. */
  contactType?: ContactType;
  phoneNumber?: string | null;
  userAgent?: string | null;
  tagIds?: readonly number[];
  /** `waiting` until an operator takes it; API imports and call-backs open conversations directly. */
  status: Exclude<ConversationStatus, 'closed'>;
  /** Answered from the start (a picked-up call); text conversations are answered by their first operator message. */
  answered?: boolean;
  waitinglist?: boolean;
  createdAt: string;
}

/**
 * Inserts a conversation (with a fresh `xmpp_id` UUID) and its tags and emits `conversation.started`.
 * References must already be checked to belong to `clientId`.
 */
export async function openConversation(trx: Tx, input: OpenConversationInput): Promise<number> {
  const at = nowInstant();
  const { id } = await trx
    .insertInto('conversation')
    .values({
      client_id: input.clientId,
      website_id: input.websiteId,
      channel: input.channel,
      source: input.source,
      visitor_id: input.visitor.id,
      operator_id: input.operatorId ?? null,
      skill_id: input.skillId ?? null,
      rule_id: input.ruleId ?? null,
      status: input.status,
      operator_answer: flag(input.answered ?? false),
      waitinglist: flag(input.waitinglist ?? false),
      page_type: input.pageType ?? null,
      contact_type: input.contactType ?? 'visitor',
      user_agent: input.userAgent ?? null,
      phone_number: input.phoneNumber ?? null,
      xmpp_id: randomUUID(),
      created_at: input.createdAt,
      answered_at: input.answered ? input.createdAt : null,
      updated_at: at,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const tagIds = unique(input.tagIds ?? []);
  if (tagIds.length > 0)
    await trx
      .insertInto('conversation_tag')
      .values(tagIds.map((tag_id) => ({ conversation_id: id, tag_id })))
      .execute();
  // Opened with its operator (an import, a picked-up call): they hold it from its start.
  if (input.operatorId != null)
    await startHolding(trx, {
      clientId: input.clientId,
      websiteId: input.websiteId,
      conversationId: id,
      operatorId: input.operatorId,
      channel: input.channel,
      at: input.createdAt,
    });
  await appendEvent(trx, {
    type: 'conversation.started',
    clientId: input.clientId,
    subject: { type: 'conversation', id },
    payload: {
      conversationId: id,
      websiteId: input.websiteId,
      clientId: input.clientId,
      operatorId: input.operatorId ?? null,
      visitorId: input.visitor.id,
      visitorUid: input.visitor.uniqueId,
      channel: input.channel,
      source: input.source,
      status: input.status,
    },
    at,
  });
  return id;
}

export interface ConversationChanges {
  operatorId?: number | null;
  skillId?: number | null;
  ruleId?: number | null;
  pageType?: string | null;
  tagIds?: readonly number[];
}

/**
 * Writes the changes that differ from the stored conversation and emits one `conversation.updated` naming them
 * (nothing differs: nothing written). An operator given to a `waiting` conversation opens it. References must
 * already be checked to belong to the conversation's client. Returns the fields that changed.
 */
export async function changeConversation(
  trx: Tx,
  conversationId: number,
  changes: ConversationChanges,
): Promise<string[]> {
  const current = await trx
    .selectFrom('conversation')
    .select([
      'client_id',
      'website_id',
      'channel',
      'status',
      'operator_id',
      'skill_id',
      'rule_id',
      'page_type',
      'visitor_id',
    ])
    .where('id', '=', conversationId)
    .executeTakeFirst();
  if (!current) throw unknownResource('conversation', conversationId);
  const currentTags = (
    await trx
      .selectFrom('conversation_tag')
      .select('tag_id')
      .where('conversation_id', '=', conversationId)
      .orderBy('tag_id')
      .execute()
  ).map((row) => row.tag_id);
  const changed: string[] = [];
  const set: {
    operator_id?: number | null;
    skill_id?: number | null;
    rule_id?: number | null;
    page_type?: string | null;
    status?: ConversationStatus;
  } = {};
  if (changes.operatorId !== undefined && changes.operatorId !== current.operator_id) {
    if (current.status === 'closed')
      throw conflict(`Conversation ${conversationId} is closed; its operator can no longer change.`);
    set.operator_id = changes.operatorId;
    if (changes.operatorId !== null && current.status === 'waiting') set.status = 'open';
    changed.push('operator_id');
  }
  if (changes.skillId !== undefined && changes.skillId !== current.skill_id) {
    set.skill_id = changes.skillId;
    changed.push('skill_id');
  }
  if (changes.ruleId !== undefined && changes.ruleId !== current.rule_id) {
    set.rule_id = changes.ruleId;
    changed.push('rule_id');
  }
  if (changes.pageType !== undefined && changes.pageType !== current.page_type) {
    set.page_type = changes.pageType;
    changed.push('page_type');
  }
  const tagIds = changes.tagIds === undefined ? undefined : unique(changes.tagIds).sort((a, b) => a - b);
  if (tagIds !== undefined && !sameIds(tagIds, currentTags)) changed.push('tag_list');
  if (changed.length === 0) return changed;
  const at = nowInstant();
  await trx
    .updateTable('conversation')
    .set({ ...set, updated_at: at })
    .where('id', '=', conversationId)
    .execute();
  if (set.operator_id === null) await endHolding(trx, conversationId, at);
  else if (set.operator_id !== undefined)
    await startHolding(trx, {
      clientId: current.client_id,
      websiteId: current.website_id,
      conversationId,
      operatorId: set.operator_id,
      channel: current.channel,
      at,
    });
  if (tagIds !== undefined && changed.includes('tag_list')) {
    await trx.deleteFrom('conversation_tag').where('conversation_id', '=', conversationId).execute();
    if (tagIds.length > 0)
      await trx
        .insertInto('conversation_tag')
        .values(tagIds.map((tag_id) => ({ conversation_id: conversationId, tag_id })))
        .execute();
  }
  await appendEvent(trx, {
    type: 'conversation.updated',
    clientId: current.client_id,
    subject: { type: 'conversation', id: conversationId },
    payload: {
      conversationId,
      websiteId: current.website_id,
      clientId: current.client_id,
      channel: current.channel,
      visitorId: current.visitor_id,
      operatorId: set.operator_id !== undefined ? set.operator_id : current.operator_id,
      changed,
      ...(changed.includes('operator_id') && { previousOperatorId: current.operator_id }),
      ...(changed.includes('tag_list') && { tagList: tagIds }),
    },
    at,
  });
  return changed;
}

/** An installed app's closing form as the operator answered it (seed 003's conversation closing option). */
export interface ClosingAnswers {
  installation_id: number;
  app: string;
  answers: Array<{ id: string; label: string; value: string }>;
}

/**
 * Closes a conversation at `at`: status `closed`, `closed_at`, `operator_closed` (default: true when it has an
 * operator), the system notice `OPERATOR_CHAT_CLOSE` or `VISITOR_CHAT_CLOSE` as its last entry, and
 * `conversation.closed`. An already closed conversation answers 409, even when two closes race.
 */
export async function closeConversation(
  trx: Tx,
  conversationId: number,
  options: { operatorClosed?: boolean; at: string; closingAnswers?: ClosingAnswers },
): Promise<void> {
  const current = await trx
    .selectFrom('conversation')
    .select(['status', 'operator_id'])
    .where('id', '=', conversationId)
    .executeTakeFirst();
  if (!current) throw unknownResource('conversation', conversationId);
  const alreadyClosed = () => conflict(`Conversation ${conversationId} is already closed.`);
  if (current.status === 'closed') throw alreadyClosed();
  const operatorClosed = options.operatorClosed ?? current.operator_id !== null;
  if (operatorClosed && current.operator_id === null)
    throw fieldInvalid('operator_closed', 'The conversation has no operator to close it.');
  // The status condition makes the close happen once: a concurrent close finds no open row and answers 409.
  const closed = await trx
    .updateTable('conversation')
    .set({
      status: 'closed',
      closed_at: options.at,
      operator_closed: flag(operatorClosed),
      updated_at: nowInstant(),
      ...(options.closingAnswers !== undefined && { closing_answers: JSON.stringify(options.closingAnswers) }),
    })
    .where('id', '=', conversationId)
    .where('status', '!=', 'closed')
    .returning(['client_id', 'website_id', 'channel', 'operator_id', 'visitor_id', 'source'])
    .executeTakeFirst();
  if (!closed) throw alreadyClosed();
  await endHolding(trx, conversationId, options.at);
  await appendMessage(
    trx,
    conversationId,
    { kind: MESSAGE_KIND.system, text: operatorClosed ? OPERATOR_CHAT_CLOSE : VISITOR_CHAT_CLOSE, at: options.at },
    { allowClosed: true },
  );
  const visitor = await trx
    .selectFrom('visitor')
    .select('unique_id')
    .where('id', '=', closed.visitor_id)
    .executeTakeFirstOrThrow();
  await appendEvent(trx, {
    type: 'conversation.closed',
    clientId: closed.client_id,
    subject: { type: 'conversation', id: conversationId },
    payload: {
      conversationId,
      websiteId: closed.website_id,
      clientId: closed.client_id,
      operatorId: closed.operator_id,
      visitorId: closed.visitor_id,
      visitorUid: visitor.unique_id,
      channel: closed.channel,
      source: closed.source,
      operatorClosed,
      ...(options.closingAnswers !== undefined && { closingAnswers: options.closingAnswers }),
    },
    at: nowInstant(),
  });
}

/** The operator who writes through the API: the one named, else the conversation's (400 naming `operator_id` when neither). */
export function writingOperator(conversation: { operator_id: number | null }, given: number | undefined): number {
  const operatorId = given ?? conversation.operator_id;
  if (operatorId === null)
    throw fieldInvalid('operator_id', 'The conversation has no operator: name the operator who writes.');
  return operatorId;
}

/**
 * In a write's transaction: the operator must be of the conversation's client; writing to the customer (`takes`) gives
 * them the conversation when nobody has it.
 */
export async function actAsOperator(
  trx: Tx,
  conversation: { id: number; client_id: number; operator_id: number | null },
  operatorId: number,
  takes = true,
): Promise<void> {
  await assertOwned(trx, 'operator', [operatorId], conversation.client_id, 'operator_id');
  if (takes && conversation.operator_id === null) await changeConversation(trx, conversation.id, { operatorId });
}
