// Outbound messages of provider channels: queued by appendMessage in the message's own transaction, claimed and sent
// by the worker (FOR UPDATE SKIP LOCKED on PostgreSQL) at each channel's send rate, their delivery state advanced by
// provider statuses (queued → sent → delivered → read | failed) with `message.status_changed` for each change.
import type { Kysely, Selectable, Transaction } from 'kysely';
import { dialectOf } from '../db/dialect.js';
import { preparedQuery } from '../db/prepared.js';
import type { ChannelOutboundRow, ConversationTable, Database } from '../db/schema.js';
import { ApiError, conflict } from '../errors.js';
import { appendEvent } from '../events/append.js';
import { transact } from '../events/transact.js';
import { formatDateTime, nowInstant } from '../time.js';
import {
  type DeliveryState,
  type DeliveryStatus,
  isProviderChannel,
  type OutboundContent,
  type ProviderError,
  type TemplateHeaderParameter,
} from './adapter.js';
import { adapterFor } from './registry.js';
import { notifyOutboundWork } from './signal.js';

type Tx = Transaction<Database>;

/** Order of the delivery states: a status never moves a message backwards (a late `sent` after `read`). */
const RANK: Record<DeliveryState, number> = { queued: 0, sent: 1, delivered: 2, read: 3, failed: 4 };
/** Attempts before a transient refusal becomes a failure. */
export const MAX_SEND_ATTEMPTS = 6;

/** An operator message bound for a provider, checked before the message is written. */
export interface PlannedOutbound {
  conversationId: number;
  clientId: number;
  channelId: number;
  recipient: string;
  content: OutboundContent;
}

function contentOf(entry: { text: string; data?: Record<string, unknown> }): OutboundContent {
  const media = mediaContentOf(entry.data);
  if (media !== undefined) return media;
  const template = entry.data?.template;
  if (typeof template === 'object' && template !== null) {
    const { name, language, parameters, header, buttons } = template as {
      name?: unknown;
      language?: unknown;
      parameters?: unknown;
      header?: TemplateHeaderParameter;
      buttons?: Array<{ index: number; text: string }>;
    };
    if (typeof name === 'string' && typeof language === 'string') {
      return {
        type: 'template',
        name,
        language,
        parameters: Array.isArray(parameters)
          ? parameters.filter((item): item is string => typeof item === 'string')
          : [],
        // Written by renderSend (messenger-content.ts) in these shapes.
        ...(header !== undefined && { header }),
        ...(Array.isArray(buttons) && buttons.length > 0 && { buttons }),
      };
    }
  }
  return { type: 'text', text: entry.text };
}

/** The outbound content of a file an operator sent (its entry's `data`, written by channels/media.ts), or undefined. */
function mediaContentOf(
  data: Record<string, unknown> | undefined,
): Extract<OutboundContent, { type: 'media' }> | undefined {
  if (data === undefined) return undefined;
  const { media_id: id, media_kind: kind, caption, filename } = data;
  if (typeof id !== 'number' || (kind !== 'image' && kind !== 'audio' && kind !== 'video' && kind !== 'document'))
    return undefined;
  return {
    type: 'media',
    kind,
    // Filled when the message leaves (signedMediaUrl): the public address and the key belong to the running node.
    url: '',
    mediaId: id,
    ...(typeof caption === 'string' && { caption }),
    ...(typeof filename === 'string' && { filename }),
  };
}

/** The refusal an agent sees when the 24-hour customer-service window is closed. */
export function serviceWindowClosed(conversationId: number, label: string, closedAt: string | null): ApiError {
  const since =
    closedAt === null
      ? 'the customer has never written on this number'
      : `it closed at ${formatDateTime(closedAt)} (UTC), 24 hours after the customer's last message`;
  return new ApiError(
    'service_window_closed',
    409,
    `Conversation ${conversationId} is outside the ${label} customer-service window: ${since}. Only an approved template can be sent now (POST /api/2/channel/{id}/template).`,
  );
}

/**
 * First half of the appendMessage hook, before anything is written: for an operator message in a conversation that
 * came from a provider channel, what to send and to whom — or a refusal when nothing can be sent (no customer
 * number, a disabled channel, a free-form message outside WhatsApp's 24-hour window). Undefined for web chat.
 */
export async function planProviderMessage(
  trx: Tx,
  conversationId: number,
  entry: { text: string; data?: Record<string, unknown> },
): Promise<PlannedOutbound | undefined> {
  const conversation = await conversationSource.first(trx, { id: conversationId });
  if (conversation === undefined || !isProviderChannel(conversation.source)) return undefined;
  const contact = await trx
    .selectFrom('channel_contact')
    .innerJoin('channel', 'channel.id', 'channel_contact.channel_id')
    .select([
      'channel_contact.channel_id',
      'channel_contact.address',
      'channel_contact.last_inbound_at',
      'channel.type',
      'channel.enabled',
      'channel.deleted_at',
    ])
    .where('channel_contact.conversation_id', '=', conversationId)
    .orderBy('channel_contact.id', 'desc')
    .executeTakeFirst();
  const adapter = adapterFor(contact?.type ?? conversation.source);
  if (contact === undefined)
    throw conflict(
      `Conversation ${conversationId} came from ${adapter.label} but no customer number is known for it: it cannot be answered there.`,
    );
  if (contact.enabled !== 1 || contact.deleted_at !== null)
    throw conflict(
      `The ${adapter.label} channel of conversation ${conversationId} is disabled: the message cannot be sent.`,
    );
  const content = contentOf(entry);
  if (adapter.serviceWindowMs !== undefined && content.type !== 'template') {
    const last = contact.last_inbound_at;
    const closesAt = last === null ? null : new Date(Date.parse(last) + adapter.serviceWindowMs).toISOString();
    if (closesAt === null || closesAt <= nowInstant())
      throw serviceWindowClosed(conversationId, adapter.label, closesAt);
  }
  return {
    conversationId,
    clientId: conversation.client_id,
    channelId: contact.channel_id,
    recipient: contact.address,
    content,
  };
}

/** Second half of the hook: the outbound row of the message just written (same transaction), state `queued`. */
export async function queueProviderMessage(trx: Tx, planned: PlannedOutbound, seq: number): Promise<void> {
  const at = nowInstant();
  await trx
    .insertInto('channel_outbound')
    .values({
      channel_id: planned.channelId,
      client_id: planned.clientId,
      conversation_id: planned.conversationId,
      seq,
      recipient: planned.recipient,
      content: JSON.stringify(planned.content),
      state: 'queued',
      provider_message_id: null,
      error_code: null,
      error_message: null,
      next_attempt_at: at,
      claimed_until: null,
      created_at: at,
      updated_at: at,
    })
    .execute();
  notifyOutboundWork();
}

/** A delivery change, for the realtime fan-out after commit. */
export interface DeliveryChange {
  conversationId: number;
  seq: number;
  state: DeliveryState;
  error?: ProviderError;
}

/** Moves one outbound row to a state (forward only) and emits `message.status_changed`; null when nothing changed. */
export async function changeDeliveryState(
  trx: Tx,
  row: Pick<ChannelOutboundRow, 'id' | 'client_id' | 'conversation_id' | 'seq' | 'state' | 'channel_id'> & {
    /** The conversation's facts for the event, when the caller read them with the row. */
    conversation?: AnnouncedConversation;
  },
  state: DeliveryState,
  extra: { providerMessageId?: string; error?: ProviderError },
): Promise<DeliveryChange | null> {
  // Failed is final; otherwise only forward. WhatsApp may report `failed` after `sent`.
  if (row.state === 'failed' || (state !== 'failed' && RANK[state] <= RANK[row.state])) {
    if (extra.providerMessageId !== undefined)
      await trx
        .updateTable('channel_outbound')
        .set({ provider_message_id: extra.providerMessageId })
        .where('id', '=', row.id)
        .execute();
    return null;
  }
  if (state === 'failed' && row.state === 'read') return null;
  const at = nowInstant();
  if (extra.providerMessageId === undefined && extra.error === undefined)
    await moveDelivery(trx, { id: row.id, state, at });
  else
    await trx
      .updateTable('channel_outbound')
      .set({
        state,
        updated_at: at,
        claimed_until: null,
        ...(extra.providerMessageId !== undefined && { provider_message_id: extra.providerMessageId }),
        ...(extra.error !== undefined && { error_code: extra.error.code, error_message: extra.error.message }),
      })
      .where('id', '=', row.id)
      .execute();
  await announceDeliveryState(trx, row, state, extra.error, at);
  return {
    conversationId: row.conversation_id,
    seq: row.seq,
    state,
    ...(extra.error !== undefined && { error: extra.error }),
  };
}

/** What `message.status_changed` says of the message's conversation. */
type AnnouncedConversation = Pick<
  Selectable<ConversationTable>,
  'website_id' | 'channel' | 'source' | 'visitor_id' | 'operator_id'
>;

/** `message.status_changed` for one outbound message: operators see it live, webhooks deliver it. */
async function announceDeliveryState(
  trx: Tx,
  row: Pick<ChannelOutboundRow, 'client_id' | 'conversation_id' | 'seq' | 'channel_id'> & {
    conversation?: AnnouncedConversation;
  },
  state: DeliveryState,
  error: ProviderError | undefined,
  at: string,
): Promise<void> {
  const conversation =
    row.conversation ??
    (await trx
      .selectFrom('conversation')
      .select(['website_id', 'channel', 'source', 'visitor_id', 'operator_id'])
      .where('id', '=', row.conversation_id)
      .executeTakeFirstOrThrow());
  await appendEvent(trx, {
    type: 'message.status_changed',
    clientId: row.client_id,
    subject: { type: 'conversation', id: row.conversation_id },
    payload: {
      conversationId: row.conversation_id,
      websiteId: conversation.website_id,
      clientId: row.client_id,
      channel: conversation.channel,
      source: conversation.source,
      channelId: row.channel_id,
      visitorId: conversation.visitor_id,
      operatorId: conversation.operator_id,
      seq: row.seq,
      state,
      error: error ?? null,
    },
    at,
  });
}

/** A plain move of an outbound message's state (a provider's status): prepared, a busy channel runs it by the hundred. */
const moveDelivery = preparedQuery((db, p: { id: number; state: DeliveryState; at: string }) =>
  db
    .updateTable('channel_outbound')
    .set({ state: p.state, updated_at: p.at, claimed_until: null })
    .where('id', '=', p.id),
);

/** The message a provider's status names, with its conversation's facts (prepared: one for every status). */
const statusTarget = preparedQuery((db, p: { channelId: number; providerMessageId: string }) =>
  db
    .selectFrom('channel_outbound')
    .innerJoin('conversation', 'conversation.id', 'channel_outbound.conversation_id')
    .select([
      'channel_outbound.id',
      'channel_outbound.client_id',
      'channel_outbound.conversation_id',
      'channel_outbound.seq',
      'channel_outbound.state',
      'channel_outbound.channel_id',
      'conversation.website_id',
      'conversation.channel',
      'conversation.source',
      'conversation.visitor_id',
      'conversation.operator_id',
    ])
    .where('channel_outbound.channel_id', '=', p.channelId)
    .where('channel_outbound.provider_message_id', '=', p.providerMessageId),
);

/** Applies a provider status to the message it names; undefined when no message of this channel has that id (yet). */
export async function applyDeliveryStatus(
  trx: Tx,
  channelId: number,
  status: DeliveryStatus,
): Promise<DeliveryChange | null | undefined> {
  // The conversation's facts with the row, in one statement: a status that changes something announces them.
  const found = await statusTarget.first(trx, { channelId, providerMessageId: status.providerMessageId });
  if (found === undefined) return undefined;
  const { website_id, channel, source, visitor_id, operator_id, ...row } = found;
  return changeDeliveryState(
    trx,
    { ...row, conversation: { website_id, channel, source, visitor_id, operator_id } },
    status.state,
    status.error !== undefined ? { error: status.error } : {},
  );
}

/** What a claim took, and whether a conversation's next message waits behind one of them. */
export interface ClaimedMessages {
  rows: ChannelOutboundRow[];
  /** A row left unclaimed follows a claimed one of its conversation: it can go once those are sent. */
  followersWait: boolean;
}

/**
 * Claims due outbound rows for `leaseMs`: on PostgreSQL rows other workers hold are skipped (FOR UPDATE SKIP LOCKED).
 * A conversation's messages leave in the order they were written, one at a time: a row is claimed only when no earlier
 * row of its conversation is still queued — postponed (a rate limit, a provider's outage), held by another node, or
 * in this very claim — so a later reply never overtakes an earlier one that could not leave yet.
 */
export async function claimDueMessages(db: Kysely<Database>, limit: number, leaseMs: number): Promise<ClaimedMessages> {
  return transact(db, async (trx) => {
    const now = nowInstant();
    let due = trx
      .selectFrom('channel_outbound as o')
      .select((eb) => [
        'o.id',
        'o.conversation_id',
        eb
          .exists(
            eb
              .selectFrom('channel_outbound as earlier')
              .select('earlier.id')
              .whereRef('earlier.conversation_id', '=', 'o.conversation_id')
              .whereRef('earlier.seq', '<', 'o.seq')
              .where('earlier.state', '=', 'queued'),
          )
          .as('behind'),
      ])
      .where('o.state', '=', 'queued')
      .where('o.next_attempt_at', '<=', now)
      .where((eb) => eb.or([eb('o.claimed_until', 'is', null), eb('o.claimed_until', '<', now)]))
      .orderBy('o.id')
      .limit(limit);
    if (dialectOf(trx) === 'postgres') due = due.forUpdate().skipLocked();
    const candidates = await due.execute();
    const ids = candidates.filter((row) => !row.behind).map((row) => row.id);
    if (ids.length === 0) return { rows: [], followersWait: false };
    const until = new Date(Date.now() + leaseMs).toISOString();
    const claimed = await trx
      .updateTable('channel_outbound')
      .set((eb) => ({ claimed_until: until, attempts: eb('attempts', '+', 1) }))
      .where('id', 'in', ids)
      .returningAll()
      .execute();
    const conversations = new Set(claimed.map((row) => row.conversation_id));
    return {
      // UPDATE … RETURNING gives rows in storage order (PostgreSQL moves updated rows): sent in the order written.
      rows: claimed.sort((a, b) => a.id - b.id),
      followersWait: candidates.some((row) => row.behind && conversations.has(row.conversation_id)),
    };
  });
}

/** Gives a claimed row back for a later attempt (rate limit, transient refusal), keeping the last error for operators. */
export async function postponeMessage(
  db: Kysely<Database>,
  row: Pick<ChannelOutboundRow, 'id' | 'client_id' | 'conversation_id' | 'seq' | 'channel_id'>,
  delayMs: number,
  error?: ProviderError,
  countAttempt = true,
): Promise<void> {
  await transact(db, async (trx) => {
    await trx
      .updateTable('channel_outbound')
      .set((eb) => ({
        claimed_until: null,
        next_attempt_at: new Date(Date.now() + delayMs).toISOString(),
        updated_at: nowInstant(),
        ...(error !== undefined && { error_code: error.code, error_message: error.message }),
        ...(!countAttempt && { attempts: eb('attempts', '-', 1) }),
      }))
      .where('id', '=', row.id)
      .execute();
    // The provider's reason is part of the delivery state people see: a change of it is announced like a state.
    if (error !== undefined) await announceDeliveryState(trx, row, 'queued', error, nowInstant());
  });
}

/** The delivery state of one message (by its seq), or undefined when it has none (not a provider reply). */
export async function deliveryStateOf(
  db: Kysely<Database>,
  conversationId: number,
  seq: number,
): Promise<Awaited<ReturnType<typeof deliveryStates>>[number] | undefined> {
  const [state] = await deliveryStates(db, conversationId, seq - 1, seq);
  return state;
}

/** Delivery states of a conversation's outbound messages after `afterSeq` (up to `upToSeq`), by seq. */
export async function deliveryStates(
  db: Kysely<Database>,
  conversationId: number,
  afterSeq = 0,
  upToSeq?: number,
): Promise<Array<{ seq: number; state: DeliveryState; error?: ProviderError; updated_at: string }>> {
  let query = db
    .selectFrom('channel_outbound')
    .select(['seq', 'state', 'error_code', 'error_message', 'updated_at'])
    .where('conversation_id', '=', conversationId)
    .where('seq', '>', afterSeq);
  if (upToSeq !== undefined) query = query.where('seq', '<=', upToSeq);
  const rows = await query.orderBy('seq').execute();
  return rows.map((row) => ({
    seq: Number(row.seq),
    state: row.state,
    // A failure's error is shown; a queued message's last transient error too (why it has not left yet).
    ...(row.error_code !== null &&
      (row.state === 'failed' || row.state === 'queued') && {
        error: { code: row.error_code, message: row.error_message ?? '' },
      }),
    updated_at: formatDateTime(row.updated_at),
  }));
}

const conversationSource = preparedQuery((db, p: { id: number }) =>
  db.selectFrom('conversation').select(['source', 'client_id']).where('id', '=', p.id),
);
