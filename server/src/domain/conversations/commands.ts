// State changes of conversations and tags; each commits its rows and its events in one transaction.
// appendMessage, openConversation, changeConversation and closeConversation run inside a caller's transaction
// so the realtime layer and the channel adapters reuse them.
import { randomUUID } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import { planProviderMessage, queueProviderMessage } from '../../channels/outbox.js';
import { preparedQuery } from '../../db/prepared.js';
import {
  type ContactType,
  type ConversationChannel,
  type ConversationMessageRow,
  type ConversationRow,
  type ConversationSource,
  type ConversationStatus,
  type Database,
  MESSAGE_KIND,
  type MessageKind,
} from '../../db/schema.js';
import { conflict, fieldInvalid, unknownResource } from '../../errors.js';
import { appendEvent } from '../../events/append.js';
import { transact } from '../../events/transact.js';
import { nowInstant, parseApiDate } from '../../time.js';
import { endHolding, startHolding } from '../people/history.js';
import { assertOwned, type Principal, targetClient, visibleWebsite } from '../tenancy/policy.js';
import { findOrCreateVisitor } from '../visitors/identity.js';
import {
  kindName,
  NAVIGATION_PROBLEM,
  navigationUrl,
  OPERATOR_CHAT_CLOSE,
  readImportedHistory,
  readMessageKind,
  VISITOR_CHAT_CLOSE,
} from './history.js';
import type { TagRecord } from './store.js';

type Tx = Transaction<Database>;

const unique = <T>(values: readonly T[]): T[] => [...new Set(values)];
const flag = (value: boolean): number => (value ? 1 : 0);
const sameIds = (a: readonly number[], b: readonly number[]): boolean =>
  a.length === b.length && a.every((id, index) => id === b[index]);

/** A `YYYY-MM-DD HH:MM:SS` date a caller gives for an import, as a stored instant; never in the future. */
function readPastDate(field: string, value: string, now: Date): string {
  const parsed = parseApiDate(value);
  if (parsed === null)
    throw fieldInvalid(field, "Expected a real date written YYYY-MM-DD HH:MM:SS (UTC), such as '2026-11-21 14:30:00'.");
  if (parsed.start.getTime() > now.getTime()) throw fieldInvalid(field, 'It must not be in the future.');
  return parsed.start.toISOString();
}

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
  const [conversation] = (await bump(trx, { id: conversationId, at: nowInstant() })).rows;
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
  const [row] = (
    await insertMessage(trx, {
      conversationId,
      seq,
      kind: entry.kind,
      operatorId,
      body: entry.text,
      createdAt: entry.at,
      data: entry.data === undefined ? null : JSON.stringify(entry.data),
      clientMessageId: entry.clientMessageId ?? null,
    })
  ).rows;
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

// ——— API commands (one transaction each) ———

export interface ConversationCreateInput {
  website_id: number;
  channel?: ConversationChannel;
  visitor_uid?: string;
  operator_id?: number | null;
  skill_id?: number | null;
  rule_id?: number | null;
  page_type?: string | null;
  tag_list?: number[];
  created_at?: string;
  history?: Array<Array<string | number>>;
}

/**
 * Creates a conversation through the API (imports and non-realtime channels): status `open`, source `api`,
 * the visitor found or created by `visitor_uid`, then the imported history in order (`message.created` each).
 */
export async function createConversation(
  db: Kysely<Database>,
  principal: Principal,
  input: ConversationCreateInput,
): Promise<number> {
  const now = new Date();
  const history = readImportedHistory(input.history ?? [], now);
  const firstOperatorEntry = history.findIndex((entry) => entry.kind === MESSAGE_KIND.operator);
  if (firstOperatorEntry >= 0 && input.operator_id == null) {
    throw fieldInvalid(
      'history',
      `Entry ${firstOperatorEntry + 1}: an operator message needs the conversation's operator_id.`,
    );
  }
  const createdAt =
    input.created_at !== undefined
      ? readPastDate('created_at', input.created_at, now)
      : (history[0]?.at ?? now.toISOString());
  const early = history.findIndex((entry) => entry.at < createdAt);
  if (early >= 0)
    throw fieldInvalid('history', `Entry ${early + 1}: it is dated before the conversation's created_at.`);
  return transact(db, async (trx) => {
    const website = await visibleWebsite(trx, principal, input.website_id);
    const clientId = website.client_id;
    if (input.operator_id != null) await assertOwned(trx, 'operator', [input.operator_id], clientId, 'operator_id');
    if (input.skill_id != null) await assertOwned(trx, 'skill', [input.skill_id], clientId, 'skill_id');
    await assertOwned(trx, 'tag', input.tag_list ?? [], clientId, 'tag_list');
    const visitor = await findOrCreateVisitor(trx, {
      clientId,
      websiteId: website.id,
      uniqueId: input.visitor_uid?.trim(),
      at: nowInstant(),
    });
    const id = await openConversation(trx, {
      clientId,
      websiteId: website.id,
      channel: input.channel ?? 'chat',
      source: 'api',
      // Started through the API (an import or an operator's tool), not by the visitor.
      contactType: 'outbound',
      visitor,
      operatorId: input.operator_id ?? null,
      skillId: input.skill_id ?? null,
      ruleId: input.rule_id ?? null,
      pageType: input.page_type ?? null,
      tagIds: input.tag_list ?? [],
      status: 'open',
      createdAt,
    });
    for (const entry of history) await appendMessage(trx, id, { kind: entry.kind, text: entry.text, at: entry.at });
    return id;
  });
}

export interface ConversationUpdateInput {
  tag_list?: number[];
  operator_id?: number | null;
  skill_id?: number | null;
  rule_id?: number | null;
  page_type?: string | null;
}

/** Applies a PUT: tags (replaced), operator (assign or transfer), skill, rule and page type; `conversation.updated` names what changed. */
export async function updateConversation(
  db: Kysely<Database>,
  existing: ConversationRow,
  input: ConversationUpdateInput,
): Promise<void> {
  await transact(db, async (trx) => {
    if (input.operator_id != null)
      await assertOwned(trx, 'operator', [input.operator_id], existing.client_id, 'operator_id');
    if (input.skill_id != null) await assertOwned(trx, 'skill', [input.skill_id], existing.client_id, 'skill_id');
    await assertOwned(trx, 'tag', input.tag_list ?? [], existing.client_id, 'tag_list');
    if (input.tag_list !== undefined) await assertNoNewArchivedTag(trx, existing.id, input.tag_list);
    await changeConversation(trx, existing.id, {
      operatorId: input.operator_id,
      skillId: input.skill_id,
      ruleId: input.rule_id,
      pageType: input.page_type,
      tagIds: input.tag_list,
    });
  });
}

/**
 * An archived tag stays on the conversations that had it (a PUT repeating it keeps it) but is not added to others:
 * 400 naming `tag_list`.
 */
async function assertNoNewArchivedTag(trx: Tx, conversationId: number, tagIds: readonly number[]): Promise<void> {
  if (tagIds.length === 0) return;
  const archived = await trx
    .selectFrom('tag')
    .select(['id', 'name'])
    .where('id', 'in', unique(tagIds))
    .where('archived', '=', 1)
    .where('id', 'not in', (eb) =>
      eb.selectFrom('conversation_tag').select('tag_id').where('conversation_id', '=', conversationId),
    )
    .orderBy('id')
    .executeTakeFirst();
  if (archived !== undefined)
    throw fieldInvalid('tag_list', `Tag ${archived.id} ('${archived.name}') is archived: it can no longer be added.`);
}

/** Closes through the API; an import may date the close (`closed_at`), never before the conversation's last entry. */
export async function closeConversationNow(
  db: Kysely<Database>,
  existing: ConversationRow,
  input: { operator_closed?: boolean; closed_at?: string },
): Promise<void> {
  if (existing.status === 'closed') throw conflict(`Conversation ${existing.id} is already closed.`);
  let at = nowInstant();
  if (input.closed_at !== undefined) {
    at = readPastDate('closed_at', input.closed_at, new Date());
    if (at < existing.created_at) throw fieldInvalid('closed_at', "It is before the conversation's created_at.");
    const last = await db
      .selectFrom('conversation_message')
      .select('created_at')
      .where('conversation_id', '=', existing.id)
      .orderBy('seq', 'desc')
      .executeTakeFirst();
    if (last !== undefined && at < last.created_at)
      throw fieldInvalid('closed_at', "It is before the conversation's last history entry.");
  }
  await transact(db, (trx) => closeConversation(trx, existing.id, { operatorClosed: input.operator_closed, at }));
}

/**
 * Appends an entry through the API. An operator message names its operator (default: the conversation's);
 * when the conversation has none yet, that operator takes it (`conversation.updated`) before the message.
 */
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

export async function postMessage(
  db: Kysely<Database>,
  existing: ConversationRow,
  input: { type: string; text: string; operator_id?: number },
): Promise<ConversationMessageRow> {
  if (existing.status === 'closed') throw conflict(`Conversation ${existing.id} is closed.`);
  const kind = readMessageKind(input.type);
  if (kind === undefined)
    throw fieldInvalid('type', 'Expected operator, visitor, system, navigation or note (or 1, 2, 3, 5, 6).');
  let text = input.text;
  if (kind === MESSAGE_KIND.navigation) {
    const url = navigationUrl(input.text);
    if (url === undefined) throw fieldInvalid('text', NAVIGATION_PROBLEM);
    text = url;
  }
  const authored = kind === MESSAGE_KIND.operator || kind === MESSAGE_KIND.note;
  if (!authored && input.operator_id !== undefined)
    throw fieldInvalid('operator_id', 'Only operator messages and notes have an operator.');
  const operatorId = authored ? writingOperator(existing, input.operator_id) : null;
  return transact(db, async (trx) => {
    // Writing to the visitor takes an unowned conversation; a note does not.
    if (operatorId !== null) await actAsOperator(trx, existing, operatorId, kind === MESSAGE_KIND.operator);
    return appendMessage(trx, existing.id, { kind, text, operatorId, at: nowInstant() });
  });
}

// ——— Tags ———

/**
 * Serialises tag writes of one client, so two requests cannot both pass the name check: a no-op UPDATE locks the
 * client row on PostgreSQL until commit (the same statement on SQLite, which runs one writer at a time, changes nothing).
 */
async function lockClientTags(trx: Tx, clientId: number): Promise<void> {
  await trx
    .updateTable('client')
    .set((eb) => ({ updated_at: eb.ref('updated_at') }))
    .where('id', '=', clientId)
    .execute();
}

/** Tag names are unique within a client whatever their case. */
async function assertTagNameFree(trx: Tx, clientId: number, name: string, exceptTagId?: number): Promise<void> {
  let query = trx
    .selectFrom('tag')
    .select('id')
    .where('client_id', '=', clientId)
    .where((eb) => eb(eb.fn('lower', ['name']), '=', name.toLowerCase()));
  if (exceptTagId !== undefined) query = query.where('id', '!=', exceptTagId);
  if (await query.executeTakeFirst())
    throw conflict(`Value of field 'name' is not valid. A tag named '${name}' already exists.`);
}

async function replaceTagWebsites(trx: Tx, tagId: number, websiteIds: readonly number[]): Promise<void> {
  await trx.deleteFrom('tag_website').where('tag_id', '=', tagId).execute();
  const ids = unique(websiteIds);
  if (ids.length > 0)
    await trx
      .insertInto('tag_website')
      .values(ids.map((website_id) => ({ tag_id: tagId, website_id })))
      .execute();
}

/** A colour as stored: `#rrggbb` in lower case, or null (the route schema checked its form). */
const storedColour = (colour: string | null | undefined): string | null | undefined =>
  colour === undefined || colour === null ? colour : colour.toLowerCase();

/** Creates a tag (`tag.created`). */
export async function createTag(
  db: Kysely<Database>,
  principal: Principal,
  input: { name: string; website_id?: number[]; client_id?: number; colour?: string | null; archived?: boolean },
): Promise<number> {
  const clientId = await targetClient(db, principal, input.client_id);
  const name = input.name.trim();
  const websiteIds = unique(input.website_id ?? []);
  const at = nowInstant();
  return transact(db, async (trx) => {
    await lockClientTags(trx, clientId);
    await assertTagNameFree(trx, clientId, name);
    await assertOwned(trx, 'website', websiteIds, clientId, 'website_id');
    const { id } = await trx
      .insertInto('tag')
      .values({
        client_id: clientId,
        name,
        colour: storedColour(input.colour) ?? null,
        archived: flag(input.archived ?? false),
        created_at: at,
        updated_at: at,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await replaceTagWebsites(trx, id, websiteIds);
    await appendEvent(trx, {
      type: 'tag.created',
      clientId,
      subject: { type: 'tag', id },
      payload: { tagId: id, name, websiteIds },
      at,
    });
    return id;
  });
}

/**
 * Renames a tag, changes its websites, its colour, or archives it (`tag.updated` naming what changed; nothing changed,
 * nothing written). Archiving keeps the tag on its conversations: it is only no longer offered.
 */
export async function updateTag(
  db: Kysely<Database>,
  existing: TagRecord,
  input: { name?: string; website_id?: number[]; colour?: string | null; archived?: boolean },
): Promise<void> {
  const name = input.name?.trim();
  const websiteIds = input.website_id === undefined ? undefined : unique(input.website_id).sort((a, b) => a - b);
  const colour = storedColour(input.colour);
  const archived = input.archived === undefined ? undefined : flag(input.archived);
  const changed = [
    ...(name !== undefined && name !== existing.name ? ['name'] : []),
    ...(websiteIds !== undefined && !sameIds(websiteIds, existing.website_id) ? ['website_id'] : []),
    ...(colour !== undefined && colour !== existing.colour ? ['colour'] : []),
    ...(archived !== undefined && archived !== existing.archived ? ['archived'] : []),
  ];
  if (changed.length === 0) return;
  const at = nowInstant();
  await transact(db, async (trx) => {
    await lockClientTags(trx, existing.client_id);
    if (name !== undefined) await assertTagNameFree(trx, existing.client_id, name, existing.id);
    await trx
      .updateTable('tag')
      .set({
        ...(name !== undefined && { name }),
        ...(colour !== undefined && { colour }),
        ...(archived !== undefined && { archived }),
        updated_at: at,
      })
      .where('id', '=', existing.id)
      .execute();
    if (websiteIds !== undefined) {
      await assertOwned(trx, 'website', websiteIds, existing.client_id, 'website_id');
      await replaceTagWebsites(trx, existing.id, websiteIds);
    }
    await appendEvent(trx, {
      type: 'tag.updated',
      clientId: existing.client_id,
      subject: { type: 'tag', id: existing.id },
      payload: {
        tagId: existing.id,
        name: name ?? existing.name,
        websiteIds: websiteIds ?? existing.website_id,
        changed,
      },
      at,
    });
  });
}
