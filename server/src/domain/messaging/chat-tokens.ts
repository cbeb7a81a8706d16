// Chat tokens (issue 20 `/chatbot/token`): a personalised chat URL for one recipient of a chat environment, shown
// once and kept as its SHA-256 (a token is 32 random bytes: 256 bits). Opening the URL is a use: the first one, decided
// by a conditional update so two browsers opening it at once cannot both be first, reports `read` once for the token
// (MESSENGER_REPORT) and once for the send that carried the URL when Causerie sent it. The page identifies the
// recipient as the contact the account already knows (the visitor of their phone on the environment's channel), so
// the chat continues that contact's history.
import { createHash, randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import { channelVisitorUid } from '../../channels/inbound.js';
import { type ChatTokenRow, type Database, MESSAGE_KIND } from '../../db/schema.js';
import { fieldInvalid, unknownResource } from '../../errors.js';
import { appendEvent } from '../../events/append.js';
import { type Tx, transact } from '../../events/transact.js';
import { nowInstant } from '../../time.js';
import { appendMessage } from '../conversations/commands.js';
import { findOrCreateVisitor } from '../visitors/identity.js';
import { signIdentity, websiteIdentitySecret } from '../visitors/identity-signing.js';
import { readPhone } from './broadcast-recipients.js';
import { newestFirst, type PageRequest } from './listing.js';
import { activeEnvironment, moveMessage } from './messages.js';

export const DEFAULT_TOKEN_DAYS = 30;
export const MAX_TOKEN_DAYS = 365;

export interface ChatRecipient {
  phone?: string | undefined;
  email?: string | undefined;
  external_id?: string | undefined;
  firstname?: string | undefined;
  lastname?: string | undefined;
}

export interface ChatTokenInput {
  agent_id: number;
  recipient: ChatRecipient;
  variables?: Record<string, string> | undefined;
  expires_in_days?: number | undefined;
  multiple_use?: boolean | undefined;
  reference?: string | undefined;
}

/** A new token: its id, the token itself (shown once, never stored), its page's URL, its expiry, and its row. */
export interface MintedChatToken {
  id: number;
  token: string;
  url: string;
  expiresAt: string;
  row: ChatTokenRow;
}

const hashOf = (token: string) => createHash('sha256').update(token, 'utf8').digest('hex');
/** The chat page of a token. */
export const chatUrl = (publicUrl: string, token: string) => `${publicUrl.replace(/\/+$/, '')}/chat/t/${token}`;

/** Mints a token in the caller's transaction; answers its row, the token (shown once) and its URL. */
export async function mintChatToken(
  trx: Tx,
  clientId: number,
  input: ChatTokenInput,
  publicUrl: string,
  messageId: number | null = null,
): Promise<MintedChatToken> {
  const token = randomBytes(32).toString('base64url');
  const at = nowInstant();
  const days = input.expires_in_days ?? DEFAULT_TOKEN_DAYS;
  const row = await trx
    .insertInto('chat_token')
    .values({
      client_id: clientId,
      agent_id: input.agent_id,
      token_hash: hashOf(token),
      recipient: JSON.stringify(input.recipient),
      variables: JSON.stringify(input.variables ?? {}),
      reference: input.reference ?? null,
      multiple_use: input.multiple_use ? 1 : 0,
      expires_at: new Date(Date.parse(at) + days * 86_400_000).toISOString(),
      revoked_at: null,
      first_used_at: null,
      message_id: messageId,
      created_at: at,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return { id: row.id, token, url: chatUrl(publicUrl, token), expiresAt: row.expires_at, row };
}

/** Creates a token for a recipient of an active environment of the client; 400 naming the field. */
export async function createChatToken(
  db: Kysely<Database>,
  clientId: number,
  input: ChatTokenInput,
  publicUrl: string,
): Promise<MintedChatToken> {
  await activeEnvironment(db, clientId, input.agent_id);
  const { phone, email, external_id: externalId } = input.recipient;
  if (phone === undefined && email === undefined && externalId === undefined)
    throw fieldInvalid('recipient', 'Give at least one of phone, email, external_id.');
  let recipient = input.recipient;
  if (phone !== undefined) {
    const read = readPhone(phone, undefined);
    if ('reason' in read) throw fieldInvalid('recipient.phone', read.reason);
    recipient = { ...recipient, phone: read.phone };
  }
  return transact(db, (trx) => mintChatToken(trx, clientId, { ...input, recipient }, publicUrl));
}

export async function revokeChatToken(db: Kysely<Database>, clientId: number, id: number): Promise<ChatTokenRow> {
  return transact(db, async (trx) => {
    const row = await trx
      .selectFrom('chat_token')
      .selectAll()
      .where('id', '=', id)
      .where('client_id', '=', clientId)
      .executeTakeFirst();
    if (row === undefined) throw unknownResource('chatbot/token', id);
    if (row.revoked_at !== null) return row;
    const at = nowInstant();
    await trx.updateTable('chat_token').set({ revoked_at: at }).where('id', '=', id).execute();
    return { ...row, revoked_at: at };
  });
}

export function listChatTokens(db: Kysely<Database>, clientId: number, agentId: number | undefined, at: PageRequest) {
  let query = db.selectFrom('chat_token').where('client_id', '=', clientId);
  if (agentId !== undefined) query = query.where('agent_id', '=', agentId);
  return newestFirst(query, at);
}

export function presentChatToken(row: ChatTokenRow) {
  const now = nowInstant();
  return {
    id: row.id,
    agent_id: row.agent_id,
    recipient: JSON.parse(row.recipient) as ChatRecipient,
    variables: JSON.parse(row.variables) as Record<string, string>,
    reference: row.reference,
    multiple_use: row.multiple_use === 1,
    expires_at: row.expires_at,
    state:
      row.revoked_at !== null
        ? 'revoked'
        : row.expires_at <= now
          ? 'expired'
          : row.first_used_at !== null && row.multiple_use === 0
            ? 'used'
            : 'active',
    first_used_at: row.first_used_at,
    uses: row.uses,
    message_id: row.message_id,
    created_at: row.created_at,
  };
}

/** What opening a token's URL finds. */
export type ChatTokenUse =
  | { kind: 'unknown' }
  | { kind: 'gone'; reason: 'expired' | 'revoked' | 'used' }
  | {
      kind: 'open';
      environment: { name: string; logo_url: string; brand_color: string; description: string };
      websiteId: number;
      identity: { external_id: string; email?: string; hash: string };
      recipient: ChatRecipient;
      variables: Record<string, string>;
    };

/** The website the environment's chat page runs on: its WhatsApp or SMS channel's, else the client's first. */
async function websiteOf(trx: Tx, clientId: number, channelIds: Array<number | null>): Promise<number | undefined> {
  const ids = channelIds.filter((id): id is number => id !== null);
  if (ids.length > 0) {
    const channel = await trx
      .selectFrom('channel')
      .select('website_id')
      .where('id', 'in', ids)
      .orderBy('id')
      .executeTakeFirst();
    if (channel !== undefined) return channel.website_id;
  }
  const website = await trx
    .selectFrom('website')
    .select('id')
    .where('client_id', '=', clientId)
    .orderBy('id')
    .executeTakeFirst();
  return website?.id;
}

/**
 * A use of the token (its page opened): refused when unknown, expired, revoked or a single-use token already used;
 * else counted, the first use reported `read`, and the recipient's identity for the chat made (the visitor of their
 * phone on the environment's channel, else of their external id or email, given an external id the page signs).
 */
export async function useChatToken(db: Kysely<Database>, token: string): Promise<ChatTokenUse> {
  if (!/^[A-Za-z0-9_-]{20,100}$/.test(token)) return { kind: 'unknown' };
  return transact(db, async (trx) => {
    const row = await trx
      .selectFrom('chat_token')
      .selectAll()
      .where('token_hash', '=', hashOf(token))
      .executeTakeFirst();
    if (row === undefined) return { kind: 'unknown' };
    const at = nowInstant();
    if (row.revoked_at !== null) return { kind: 'gone', reason: 'revoked' };
    if (row.expires_at <= at) return { kind: 'gone', reason: 'expired' };
    // A deleted environment (or an account without a website to chat on) takes its links with it, before any use.
    const agent = await trx
      .selectFrom('messaging_agent')
      .select(['name', 'logo_url', 'brand_color', 'description', 'whatsapp_channel_id', 'sms_channel_id'])
      .where('id', '=', row.agent_id)
      .where('deleted_at', 'is', null)
      .executeTakeFirst();
    if (agent === undefined) return { kind: 'gone', reason: 'revoked' };
    const websiteId = await websiteOf(trx, row.client_id, [agent.sms_channel_id, agent.whatsapp_channel_id]);
    if (websiteId === undefined) return { kind: 'gone', reason: 'revoked' };
    const first = await trx
      .updateTable('chat_token')
      .set((eb) => ({ first_used_at: at, uses: eb('uses', '+', 1) }))
      .where('id', '=', row.id)
      .where('first_used_at', 'is', null)
      .executeTakeFirst();
    const isFirst = Number(first.numUpdatedRows) === 1;
    if (!isFirst) {
      if (row.multiple_use === 0) return { kind: 'gone', reason: 'used' };
      await trx
        .updateTable('chat_token')
        .set((eb) => ({ uses: eb('uses', '+', 1) }))
        .where('id', '=', row.id)
        .execute();
    }
    const recipient = JSON.parse(row.recipient) as ChatRecipient;
    if (isFirst) await reportRead(trx, row, recipient, at);
    const { externalId, visitorId } = await recipientVisitor(trx, row, recipient, websiteId, [
      ...(agent.sms_channel_id !== null ? (['sms'] as const) : []),
      ...(agent.whatsapp_channel_id !== null ? (['whatsapp'] as const) : []),
    ]);
    if (isFirst && visitorId !== null) await noteOpening(trx, row, visitorId, websiteId, at);
    const secret = await websiteIdentitySecret(trx, websiteId);
    return {
      kind: 'open',
      environment: {
        name: agent.name,
        logo_url: agent.logo_url,
        brand_color: agent.brand_color,
        description: agent.description,
      },
      websiteId,
      identity: {
        external_id: externalId,
        ...(recipient.email !== undefined && { email: recipient.email }),
        hash: signIdentity(secret ?? '', externalId),
      },
      recipient,
      variables: JSON.parse(row.variables) as Record<string, string>,
    };
  });
}

/** The `read` reports of a token's first use: the token's own, and the send's that carried it. */
async function reportRead(trx: Tx, row: ChatTokenRow, recipient: ChatRecipient, at: string): Promise<void> {
  await appendEvent(trx, {
    type: 'messaging.messenger_report',
    clientId: row.client_id,
    subject: { type: 'chat_token', id: row.id },
    payload: {
      owner: { kind: 'client', id: row.client_id },
      resourceId: row.message_id ?? row.id,
      state: 'read',
      previousState: null,
      reason: null,
      data: {
        id: row.message_id ?? row.id,
        token_id: row.id,
        reference: row.reference,
        broadcast_id: null,
        to: recipient.phone ?? recipient.email ?? recipient.external_id ?? null,
        channel: 'chat',
        state: 'read',
        error: null,
        at,
      },
    },
    at,
  });
  if (row.message_id === null) return;
  const message = await trx
    .selectFrom('messenger_message')
    .selectAll()
    .where('id', '=', row.message_id)
    .executeTakeFirst();
  if (message !== undefined)
    await moveMessage(trx, message, 'read', ['queued', 'sent', 'delivered'], { at, set: { work: null, due_at: null } });
}

/**
 * The variables in the conversation's context: on the first opening, an entry of the contact's open conversation
 * (the one the chat resumes) says the link was opened, with its reference and variables, for the operator to read.
 */
async function noteOpening(trx: Tx, row: ChatTokenRow, visitorId: number, websiteId: number, at: string) {
  const conversation = await trx
    .selectFrom('conversation')
    .select('id')
    .where('visitor_id', '=', visitorId)
    .where('website_id', '=', websiteId)
    .where('status', '!=', 'closed')
    .orderBy('id', 'desc')
    .executeTakeFirst();
  if (conversation === undefined) return;
  const variables = JSON.parse(row.variables) as Record<string, string>;
  const listed = Object.entries(variables).map(([name, value]) => `${name} : ${value}`);
  await appendMessage(trx, conversation.id, {
    kind: MESSAGE_KIND.system,
    text: ['Lien de discussion ouvert.', ...listed].join('\n'),
    at,
    data: { event: 'chat_token_opened', token_id: row.id, reference: row.reference, variables },
  });
}

/**
 * The external id the chat page signs for the recipient, and its visitor when there is one: the contact's visitor
 * (their phone on one of the environment's channels, else their external id) is given one when it has none, so the
 * widget's signed identity finds that visitor and the chat continues their history.
 */
async function recipientVisitor(
  trx: Tx,
  row: ChatTokenRow,
  recipient: ChatRecipient,
  websiteId: number,
  channelTypes: ReadonlyArray<'sms' | 'whatsapp'>,
): Promise<{ externalId: string; visitorId: number | null }> {
  if (recipient.external_id !== undefined) {
    const known = await trx
      .selectFrom('visitor')
      .select('id')
      .where('client_id', '=', row.client_id)
      .where('external_id', '=', recipient.external_id)
      .executeTakeFirst();
    return { externalId: recipient.external_id, visitorId: known?.id ?? null };
  }
  if (recipient.phone !== undefined)
    for (const type of channelTypes) {
      const found = await trx
        .selectFrom('visitor')
        .select(['id', 'merged_into_id'])
        .where('client_id', '=', row.client_id)
        .where('unique_id', '=', channelVisitorUid(type, recipient.phone))
        .executeTakeFirst();
      if (found === undefined) continue;
      // A contact merged into another is that one now (merges repoint, so one hop).
      const visitor = await trx
        .selectFrom('visitor')
        .select(['id', 'external_id'])
        .where('id', '=', found.merged_into_id ?? found.id)
        .executeTakeFirstOrThrow();
      if (visitor.external_id !== null) return { externalId: visitor.external_id, visitorId: visitor.id };
      const externalId = `contact:${recipient.phone}`;
      await trx.updateTable('visitor').set({ external_id: externalId }).where('id', '=', visitor.id).execute();
      return { externalId, visitorId: visitor.id };
    }
  const externalId = recipient.phone !== undefined ? `contact:${recipient.phone}` : `contact:${recipient.email}`;
  const existing = await trx
    .selectFrom('visitor')
    .select(['id', 'merged_into_id'])
    .where('client_id', '=', row.client_id)
    .where('external_id', '=', externalId)
    .executeTakeFirst();
  if (existing !== undefined && existing.merged_into_id !== null) {
    // Merged into a contact with its own external id (else it would have taken this one): sign that one.
    const survivor = await trx
      .selectFrom('visitor')
      .select(['id', 'external_id'])
      .where('id', '=', existing.merged_into_id)
      .executeTakeFirstOrThrow();
    return { externalId: survivor.external_id ?? externalId, visitorId: survivor.id };
  }
  if (existing !== undefined) return { externalId, visitorId: existing.id };
  const visitor = await findOrCreateVisitor(trx, {
    clientId: row.client_id,
    websiteId,
    initial: {
      ...(recipient.phone !== undefined && { phone: recipient.phone }),
      ...(recipient.email !== undefined && { email: recipient.email }),
      ...(recipient.firstname !== undefined && { firstname: recipient.firstname }),
      ...(recipient.lastname !== undefined && { lastname: recipient.lastname }),
    },
    at: nowInstant(),
  });
  await trx.updateTable('visitor').set({ external_id: externalId }).where('id', '=', visitor.id).execute();
  return { externalId, visitorId: visitor.id };
}
