// The REST API's conversation commands, one transaction each: create (an import may date it in the past), update,
// close now, post a message. They build on the reusable commands of commands.ts, which run inside a caller's
// transaction.
import type { Kysely, Transaction } from 'kysely';
import {
  type ConversationChannel,
  type ConversationMessageRow,
  type ConversationRow,
  type Database,
  MESSAGE_KIND,
} from '../../db/schema.js';
import { conflict, fieldInvalid } from '../../errors.js';
import { transact } from '../../events/transact.js';
import { nowInstant, parseApiDate } from '../../time.js';
import { assertOwned, type Principal, visibleWebsite } from '../tenancy/policy.js';
import { findOrCreateVisitor } from '../visitors/identity.js';
import {
  actAsOperator,
  appendMessage,
  changeConversation,
  closeConversation,
  openConversation,
  unique,
  writingOperator,
} from './commands.js';
import { NAVIGATION_PROBLEM, navigationUrl, readImportedHistory, readMessageKind } from './history.js';

type Tx = Transaction<Database>;

/** A `YYYY-MM-DD HH:MM:SS` date a caller gives for an import, as a stored instant; never in the future. */
function readPastDate(field: string, value: string, now: Date): string {
  const parsed = parseApiDate(value);
  if (parsed === null)
    throw fieldInvalid(field, "Expected a real date written YYYY-MM-DD HH:MM:SS (UTC), such as '2026-11-21 14:30:00'.");
  if (parsed.start.getTime() > now.getTime()) throw fieldInvalid(field, 'It must not be in the future.');
  return parsed.start.toISOString();
}

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
