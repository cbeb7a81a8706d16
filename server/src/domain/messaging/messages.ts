// Issue 20's sends: `/messenger/submit` (one recipient), `/messenger/conversation` (up to 100) and a broadcast's
// recipients are messenger_message rows. Accepting a send writes its row (queued, or scheduled for its `send_at`) and
// its first report in one transaction; the messenger worker (messenger-worker.ts) claims it when due and writes the
// customer's conversation entry and the channel's outbound row; the messenger feed (messenger-feed.ts) turns that
// entry's delivery changes into the send's states. Every state change is a `messaging.messenger_report` event, which
// the callback fan-out delivers to the account's callback URL as MESSENGER_REPORT.
import type { Kysely } from 'kysely';
import type { Database, MessengerChannel, MessengerMessageRow, MessengerState } from '../../db/schema.js';
import { ApiError, conflict, fieldInvalid, unknownResource } from '../../errors.js';
import { appendEvent } from '../../events/append.js';
import { commitGroupOf } from '../../events/commit-group.js';
import { type Tx, transact } from '../../events/transact.js';
import { nowInstant } from '../../time.js';
import { readPhone } from './broadcast-recipients.js';
import { newestFirst, type PageRequest } from './listing.js';

export const MESSENGER_CHANNELS = ['rcs', 'whatsapp', 'sms'] as const;
export const REQUESTED_CHANNELS = ['auto', ...MESSENGER_CHANNELS] as const;
export const MESSENGER_STATES = [
  'queued',
  'scheduled',
  'sent',
  'delivered',
  'read',
  'failed',
  'expired',
  'opted_out',
  'cancelled',
] as const satisfies readonly MessengerState[];
/** States after which nothing more happens to a send. */
export const FINAL_STATES: ReadonlySet<MessengerState> = new Set([
  'delivered',
  'read',
  'failed',
  'expired',
  'opted_out',
  'cancelled',
]);
/** States of a send that has not left yet: a broadcast with none of them left is complete. */
export const UNSENT_STATES = ['queued', 'scheduled'] as const satisfies readonly MessengerState[];
/** Recipients of one `/messenger/conversation` call at most. */
export const MAX_CONVERSATION_RECIPIENTS = 100;
/** A variable in a text: `{{name}}` (letters, digits, `_` and `.`). */
const VARIABLE = /\{\{\s*([A-Za-z_][A-Za-z0-9_.]*)\s*\}\}/g;

/** What a send carries: a template of the account, or a text with `{{variables}}`. */
export type MessengerContent = { template_id: number } | { text: string };

/** A fallback rule: when the first channel has not delivered within `after_minutes`, send again on `channel`. */
export interface FallbackRule {
  channel: MessengerChannel;
  after_minutes: number;
}

export interface SendInput {
  agent_id: number;
  to: string;
  channel: (typeof REQUESTED_CHANNELS)[number];
  content: MessengerContent;
  variables: Record<string, string>;
  send_at?: string | undefined;
  reference?: string | undefined;
  fallback?: FallbackRule | undefined;
}

/** How a send's content is read: the variables it needs (a template's, or its text's). */
export interface ContentReader {
  requiredVariables(db: Kysely<Database> | Tx, clientId: number, content: MessengerContent): Promise<string[]>;
}

/** The variables of a text, in order of first appearance. */
export function textVariables(text: string): string[] {
  return [...new Set([...text.matchAll(VARIABLE)].map((match) => String(match[1])))];
}

/** A text with its variables filled (a variable without a value is left empty: callers checked they are given). */
export function fillText(text: string, variables: Readonly<Record<string, string>>): string {
  return text.replace(VARIABLE, (_, name: string) => variables[name] ?? '');
}

/** A send's content as given, or a 400 naming `field`. */
export function readContent(value: unknown, field: string): MessengerContent {
  if (typeof value === 'object' && value !== null) {
    const { template_id: templateId, text } = value as { template_id?: unknown; text?: unknown };
    if (typeof templateId === 'number' && Number.isInteger(templateId) && templateId > 0 && text === undefined)
      return { template_id: templateId };
    if (typeof text === 'string' && templateId === undefined) {
      if (text.trim() === '') throw fieldInvalid(`${field}.text`, 'The text is empty.');
      if (text.length > 4096) throw fieldInvalid(`${field}.text`, 'At most 4,096 characters.');
      return { text };
    }
  }
  throw fieldInvalid(field, 'Give either template_id (a template of the account) or text.');
}

/** The environment `agentId` of the client, active, or a 4xx naming `agent_id`. */
export async function activeEnvironment(db: Kysely<Database> | Tx, clientId: number, agentId: number) {
  const agent = await db
    .selectFrom('messaging_agent')
    .select(['id', 'state', 'rcs', 'whatsapp_channel_id', 'sms_channel_id'])
    .where('id', '=', agentId)
    .where('client_id', '=', clientId)
    .where('deleted_at', 'is', null)
    .executeTakeFirst();
  if (agent === undefined) throw unknownResource('chatbot/agent', agentId, 'agent_id');
  if (agent.state !== 'active')
    throw conflict(
      `Chat environment ${agentId} is '${agent.state}': messages are sent from an active environment.`,
      'agent_id',
    );
  return agent;
}

/** The channels an environment can send on. */
export function environmentChannels(agent: {
  rcs: number;
  whatsapp_channel_id: number | null;
  sms_channel_id: number | null;
}): MessengerChannel[] {
  return [
    ...(agent.rcs === 1 ? (['rcs'] as const) : []),
    ...(agent.whatsapp_channel_id !== null ? (['whatsapp'] as const) : []),
    ...(agent.sms_channel_id !== null ? (['sms'] as const) : []),
  ];
}

/** The report of one send's state change, in the caller's transaction (the callback fan-out reads it). */
export async function reportMessage(
  trx: Tx,
  message: Pick<MessengerMessageRow, 'id' | 'client_id' | 'reference' | 'broadcast_id' | 'to' | 'channel'>,
  state: MessengerState,
  previousState: MessengerState | null,
  error: { code: string; message: string } | null,
  at: string,
): Promise<void> {
  await appendEvent(trx, {
    type: 'messaging.messenger_report',
    clientId: message.client_id,
    subject: { type: 'messenger_message', id: message.id },
    payload: {
      owner: { kind: 'client', id: message.client_id },
      resourceId: message.id,
      state,
      previousState,
      reason: error === null ? null : error.message,
      data: {
        id: message.id,
        reference: message.reference,
        broadcast_id: message.broadcast_id,
        to: message.to,
        channel: message.channel,
        state,
        error,
        at,
      },
    },
    at,
  });
}

/** Moves a send to `state` (only from one of `from`), with its report; false when it was no longer in one of them. */
export async function moveMessage(
  trx: Tx,
  message: MessengerMessageRow,
  state: MessengerState,
  from: readonly MessengerState[],
  change: {
    error?: { code: string; message: string } | null;
    at: string;
    set?: Partial<
      Pick<
        MessengerMessageRow,
        'channel' | 'channel_id' | 'conversation_id' | 'seq' | 'work' | 'due_at' | 'fallback_from'
      >
    >;
  },
): Promise<boolean> {
  const error = change.error ?? null;
  const moved = await trx
    .updateTable('messenger_message')
    .set({
      state,
      updated_at: change.at,
      lease_owner: null,
      lease_until: null,
      ...(FINAL_STATES.has(state) && { work: null, due_at: null }),
      ...(error !== null && { error_code: error.code, error_message: error.message }),
      ...change.set,
    })
    .where('id', '=', message.id)
    .where('state', 'in', [...from])
    .executeTakeFirst();
  if (Number(moved.numUpdatedRows) !== 1) return false;
  await reportMessage(
    trx,
    { ...message, channel: change.set?.channel ?? message.channel },
    state,
    message.state,
    error,
    change.at,
  );
  return true;
}

/** The opt-out list's entry for a number, if any. */
export async function isOptedOut(db: Kysely<Database> | Tx, clientId: number, phone: string): Promise<boolean> {
  const row = await db
    .selectFrom('messenger_optout')
    .select('id')
    .where('client_id', '=', clientId)
    .where('phone', '=', phone)
    .executeTakeFirst();
  return row !== undefined;
}

function readSendAt(value: string | undefined, field: string, at: string): string | null {
  if (value === undefined) return null;
  const time = Date.parse(value);
  if (!/^\d{4}-\d{2}-\d{2}T/.test(value) || Number.isNaN(time))
    throw fieldInvalid(field, 'An ISO 8601 date-time with its offset (2026-12-24T09:00:00+01:00).');
  const instant = new Date(time).toISOString();
  if (time > Date.parse(at) + 366 * 86_400_000) throw fieldInvalid(field, 'At most a year ahead.');
  // A time already past sends at once.
  return instant > at ? instant : null;
}

/**
 * Accepts sends (one row each, queued or scheduled) and reports their first state, in one transaction (maybe shared
 * with other commands', see commitGroupOf); the rows in input order. Each input's problems are 400 naming
 * `${fields(i)}.field`; the environment's too.
 */
export async function acceptSends(
  db: Kysely<Database>,
  reader: ContentReader,
  clientId: number,
  inputs: readonly SendInput[],
  fields: (index: number) => string,
): Promise<MessengerMessageRow[]> {
  const at = nowInstant();
  const prepared: Array<{ input: SendInput; to: string; sendAt: string | null }> = [];
  for (const [index, input] of inputs.entries()) {
    const prefix = fields(index);
    const agent = await activeEnvironment(db, clientId, input.agent_id);
    const channels = environmentChannels(agent);
    if (input.channel !== 'auto' && !channels.includes(input.channel))
      throw fieldInvalid(
        `${prefix}channel`,
        `Chat environment ${input.agent_id} sends on ${channels.join(', ') || 'no channel'}, not ${input.channel}.`,
      );
    if (input.fallback !== undefined && !channels.includes(input.fallback.channel))
      throw fieldInvalid(
        `${prefix}fallback.channel`,
        `Chat environment ${input.agent_id} does not send on ${input.fallback.channel}.`,
      );
    const phone = readPhone(input.to, undefined);
    if ('reason' in phone) throw fieldInvalid(`${prefix}to`, phone.reason);
    const required = await reader.requiredVariables(db, clientId, input.content);
    const missing = required.find((name) => (input.variables[name] ?? '').trim() === '');
    if (missing !== undefined)
      throw fieldInvalid(`${prefix}variables.${missing}`, `The content uses {{${missing}}}: give its value.`);
    const sendAt = readSendAt(input.send_at, `${prefix}send_at`, at);
    prepared.push({ input, to: phone.phone, sendAt });
  }
  // Joins the database's commit group: on SQLite the submits that arrive together reach the disk in one flush rather
  // than one each (at hundreds a second, the flushes alone held the node's one thread).
  return commitGroupOf(db).run(async (trx) => {
    const rows: MessengerMessageRow[] = [];
    for (const { input, to, sendAt } of prepared) {
      const state: MessengerState = sendAt === null ? 'queued' : 'scheduled';
      const row = await trx
        .insertInto('messenger_message')
        .values({
          client_id: clientId,
          agent_id: input.agent_id,
          broadcast_id: null,
          to,
          requested_channel: input.channel,
          channel: null,
          channel_id: null,
          content: JSON.stringify(input.content),
          variables: JSON.stringify(input.variables),
          reference: input.reference ?? null,
          fallback: input.fallback === undefined ? null : JSON.stringify(input.fallback),
          fallback_from: null,
          state,
          error_code: null,
          error_message: null,
          send_at: sendAt,
          work: 'send',
          due_at: sendAt ?? at,
          lease_owner: null,
          lease_until: null,
          conversation_id: null,
          seq: null,
          created_at: at,
          updated_at: at,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      await reportMessage(trx, row, state, null, null, at);
      rows.push(row);
    }
    return rows;
  });
}

/** The send `id` of the client, or 404. */
export async function loadMessage(db: Kysely<Database> | Tx, clientId: number, id: number) {
  const row = await db
    .selectFrom('messenger_message')
    .selectAll()
    .where('id', '=', id)
    .where('client_id', '=', clientId)
    .executeTakeFirst();
  if (row === undefined) throw unknownResource('messenger/message', id);
  return row;
}

/** Cancels a send that has not left yet (queued or scheduled); 409 naming its state otherwise. */
export async function cancelMessage(db: Kysely<Database>, clientId: number, id: number) {
  return transact(db, async (trx) => {
    const row = await loadMessage(trx, clientId, id);
    const moved = await moveMessage(trx, row, 'cancelled', UNSENT_STATES, { at: nowInstant() });
    if (!moved)
      throw new ApiError(
        'invalid_transition',
        409,
        `Message ${id} can be cancelled until it leaves; it is '${row.state}'. Current state: '${row.state}'.`,
        'fail',
        { field: 'state' },
      );
    return loadMessage(trx, clientId, id);
  });
}

export interface MessageFilters {
  state?: MessengerState | undefined;
  reference?: string | undefined;
  to?: string | undefined;
  broadcast_id?: number | undefined;
}

/** One page of the client's sends, newest first. */
export function listMessages(db: Kysely<Database>, clientId: number, filters: MessageFilters, at: PageRequest) {
  let query = db.selectFrom('messenger_message').where('client_id', '=', clientId);
  if (filters.state !== undefined) query = query.where('state', '=', filters.state);
  if (filters.reference !== undefined) query = query.where('reference', '=', filters.reference);
  if (filters.to !== undefined) query = query.where('to', '=', filters.to);
  if (filters.broadcast_id !== undefined) query = query.where('broadcast_id', '=', filters.broadcast_id);
  return newestFirst(query, at);
}

/** A send as the API shows it. */
export function presentMessage(row: MessengerMessageRow) {
  return {
    id: row.id,
    agent_id: row.agent_id,
    broadcast_id: row.broadcast_id,
    to: row.to,
    requested_channel: row.requested_channel,
    channel: row.channel,
    fallback: row.fallback === null ? null : (JSON.parse(row.fallback) as FallbackRule),
    fallback_from: row.fallback_from,
    content: JSON.parse(row.content) as MessengerContent,
    state: row.state,
    error:
      row.error_code === null && row.error_message === null
        ? null
        : { code: row.error_code, message: row.error_message },
    reference: row.reference,
    send_at: row.send_at,
    conversation_id: row.conversation_id,
    created_at: row.created_at,
    updated_at: row.updated_at,
  };
}

/** Adds numbers to the account's opt-out list (those already there stay as they were); the sends waiting to them end. */
export async function addOptouts(
  trx: Tx,
  clientId: number,
  phones: readonly string[],
  source: 'api' | 'keyword',
  keyword: string | null,
  at: string,
): Promise<void> {
  for (const phone of phones) {
    if (await isOptedOut(trx, clientId, phone)) continue;
    await trx
      .insertInto('messenger_optout')
      .values({ client_id: clientId, phone, source, keyword, created_at: at })
      .execute();
  }
}

export async function optIn(db: Kysely<Database>, clientId: number, phone: string): Promise<void> {
  const removed = await db
    .deleteFrom('messenger_optout')
    .where('client_id', '=', clientId)
    .where('phone', '=', phone)
    .executeTakeFirst();
  if (Number(removed.numDeletedRows) === 0) throw unknownResource('messenger/optout', phone);
}

export function listOptouts(db: Kysely<Database>, clientId: number, phone: string | undefined, at: PageRequest) {
  let query = db.selectFrom('messenger_optout').where('client_id', '=', clientId);
  if (phone !== undefined) query = query.where('phone', '=', phone);
  return newestFirst(query, at);
}

/** Words a customer sends to stop receiving messages (compared without case, accents or surrounding spaces). */
const STOP_WORDS: ReadonlySet<string> = new Set([
  'stop',
  'stop sms',
  'arret',
  'arreter',
  'unsubscribe',
  'desabonner',
  'desinscrire',
  'stopall',
  'cancel',
  'end',
  'quit',
]);

/** The stop word a customer's message is, or undefined. */
export function stopWordOf(text: string): string | undefined {
  const word = text
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .trim()
    .toLowerCase()
    .replace(/[.!]+$/, '')
    .replace(/\s+/g, ' ');
  return STOP_WORDS.has(word) ? word.toUpperCase() : undefined;
}
