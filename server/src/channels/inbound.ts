// Inbound side of provider channels: stored raw payloads are processed into conversations (customer messages) and
// delivery states (statuses). A customer's first message opens a conversation routed like web chat; later ones append.
import { createHash } from 'node:crypto';
import { type Kysely, sql, type Transaction } from 'kysely';
import { dialectOf } from '../db/dialect.js';
import { preparedQuery } from '../db/prepared.js';
import { type ConversationMessageRow, type Database, MESSAGE_KIND } from '../db/schema.js';
import { appendMessage, openConversation } from '../domain/conversations/commands.js';
import { recordMetaTemplateStatus } from '../domain/messaging/template-status.js';
import { queueCustomerConversation } from '../domain/routing/queue.js';
import { findOrCreateVisitor } from '../domain/visitors/identity.js';
import { transact } from '../events/transact.js';
import { nowInstant } from '../time.js';
import type { ChannelType, DeliveryStatus, InboundContent, InboundMessage, SendContext } from './adapter.js';
import { storeMediaFile } from './media.js';
import { applyDeliveryStatus, type DeliveryChange } from './outbox.js';
import { adapterFor } from './registry.js';
import type { OpenChannel } from './store.js';
import { type WhatsappTemplateStatus, whatsappTemplateStatuses } from './whatsapp.js';

type Tx = Transaction<Database>;

/** What processing one payload changed, for the realtime fan-out after commit. */
export interface InboundOutcome {
  entries: Array<{ conversationId: number; row: ConversationMessageRow }>;
  /** Conversations opened (to route and announce). */
  opened: Array<{ conversationId: number; websiteId: number }>;
  deliveries: DeliveryChange[];
  /** Statuses naming messages not known yet (the send's answer not stored yet): process the payload again later. */
  pendingStatuses: number;
  /** Parts of the payloads taken that were not the channel's (adapter `ownPart`), to log. */
  skipped: Array<{ channelId: number; payloadId: number; note: string }>;
  /** Payloads this pass took (others were taken by another node meanwhile). */
  taken: number;
}

/** The visitor unique id of a customer on a channel: their number, prefixed by the channel type. */
export function channelVisitorUid(type: ChannelType, address: string): string {
  return `${type}:${address}`;
}

/** History text of an inbound content: what an agent reads; details go to the entry's `data`. */
export function describeContent(content: InboundContent): string {
  switch (content.type) {
    case 'text':
      return content.text;
    case 'media':
      return `[${content.kind}]${content.caption !== undefined ? ` ${content.caption}` : content.filename !== undefined ? ` ${content.filename}` : ''}`;
    case 'location':
      return `[location] ${[content.name, content.address].filter((part) => part !== undefined && part !== '').join(', ')}${content.name !== undefined || content.address !== undefined ? ' ' : ''}(${content.latitude}, ${content.longitude})`;
    case 'contacts':
      return `[contacts] ${content.contacts.map((contact) => `${contact.name}${contact.phones.length > 0 ? ` ${contact.phones.join(', ')}` : ''}`).join('; ')}`;
    case 'reply':
      return content.title !== '' ? content.title : content.id;
    case 'reaction':
      return `[reaction] ${content.emoji}`;
  }
}

/** Downloaded media of one message, stored in the blob table inside the message's transaction. */
export interface FetchedMedia {
  bytes: Buffer;
  mimeType: string;
}

function storeMedia(
  trx: Tx,
  channel: OpenChannel,
  conversationId: number,
  content: Extract<InboundContent, { type: 'media' }>,
  media: FetchedMedia,
): Promise<number> {
  return storeMediaFile(trx, {
    channelId: channel.row.id,
    clientId: channel.row.client_id,
    conversationId,
    providerMediaId: content.mediaId,
    mimeType: media.mimeType,
    filename: content.filename,
    bytes: media.bytes,
  });
}

/** Records a provider message id; false when it was seen before (a provider's retry). */
async function firstSighting(trx: Tx, channelId: number, providerMessageId: string): Promise<boolean> {
  const inserted = await trx
    .insertInto('channel_message_seen')
    .values({
      channel_id: channelId,
      provider_message_id: providerMessageId,
      conversation_id: null,
      seq: null,
      created_at: nowInstant(),
    })
    .onConflict((oc) => oc.columns(['channel_id', 'provider_message_id']).doNothing())
    .executeTakeFirst();
  return Number(inserted.numInsertedOrUpdatedRows ?? 0n) > 0;
}

/** A customer's contact on a channel with its conversation's status (prepared: one for every inbound message). */
const contactRow = preparedQuery((db, p: { channelId: number; address: string }) =>
  db
    .selectFrom('channel_contact')
    .leftJoin('conversation', 'conversation.id', 'channel_contact.conversation_id')
    .select([
      'channel_contact.id',
      'channel_contact.visitor_id',
      'channel_contact.conversation_id',
      'conversation.status',
    ])
    .where('channel_contact.channel_id', '=', p.channelId)
    .where('channel_contact.address', '=', p.address),
);

/** The customer's contact on the channel, and its conversation when that is still open. */
export async function contactOf(
  trx: Tx,
  channelId: number,
  address: string,
): Promise<{ id: number; visitor_id: number; openConversationId: number | undefined } | undefined> {
  const contact = await contactRow.first(trx, { channelId, address });
  if (contact === undefined) return undefined;
  const open = contact.conversation_id !== null && contact.status !== null && contact.status !== 'closed';
  return {
    id: contact.id,
    visitor_id: contact.visitor_id,
    openConversationId: open ? (contact.conversation_id ?? undefined) : undefined,
  };
}

/** Advisory lock namespace (first key) of a customer's conversation opening on PostgreSQL. */
const OPENING_LOCK = 0x43686e31;

/** The customer's conversation on the channel that is still open, or a new one, waiting in the website's queue. */
async function conversationFor(
  trx: Tx,
  channel: OpenChannel,
  message: InboundMessage,
  outcome: InboundOutcome,
): Promise<number> {
  const { row } = channel;
  const at = nowInstant();
  let contact = await contactOf(trx, row.id, message.from);
  if (contact?.openConversationId !== undefined) return contact.openConversationId;
  if (dialectOf(trx) === 'postgres') {
    // Two nodes (or workers) may take messages of one customer at the same instant, each in its own transaction: both
    // would create the visitor and contact (one then fails on their unique indexes, and its whole batch is done again)
    // or, once the previous conversation is closed, both would open a new one. Opening is therefore serialised per
    // customer: the second waits here until the first commits, then reads again and finds the conversation it opened.
    // (SQLite needs nothing: its write transactions already run one at a time.)
    const key = createHash('sha256')
      .update(`${row.client_id}:${channelVisitorUid(row.type, message.from)}`)
      .digest()
      .readInt32BE(0);
    await sql`select pg_advisory_xact_lock(${OPENING_LOCK}::int, ${key}::int)`.execute(trx);
    contact = await contactOf(trx, row.id, message.from);
    if (contact?.openConversationId !== undefined) return contact.openConversationId;
  }
  if (contact === undefined) {
    const visitor = await findOrCreateVisitor(trx, {
      clientId: row.client_id,
      websiteId: row.website_id,
      uniqueId: channelVisitorUid(row.type, message.from),
      initial: { phone: message.from, firstname: message.profileName?.slice(0, 255) ?? null },
      at,
    });
    const inserted = await trx
      .insertInto('channel_contact')
      .values({
        channel_id: row.id,
        address: message.from,
        visitor_id: visitor.id,
        conversation_id: null,
        last_inbound_at: null,
        created_at: at,
      })
      .returning(['id', 'visitor_id'])
      .executeTakeFirstOrThrow();
    contact = { ...inserted, openConversationId: undefined };
  }
  const visitor = await trx
    .selectFrom('visitor')
    .select(['id', 'unique_id'])
    .where('id', '=', contact.visitor_id)
    .executeTakeFirstOrThrow();
  // Channel `chat` (seed 003's text channel, so operators' chat slots and routing apply), source = the provider.
  const conversationId = await openConversation(trx, {
    clientId: row.client_id,
    websiteId: row.website_id,
    channel: 'chat',
    source: row.type === 'chat' ? 'web' : row.type,
    visitor: { id: visitor.id, uniqueId: visitor.unique_id },
    phoneNumber: message.from,
    userAgent: null,
    status: 'waiting',
    createdAt: at,
  });
  // Messaging customers are not on a page that closes: the conversation waits in the queue until an operator is free
  // (routing serves it after this commit), instead of being closed as missed when nobody is connected.
  await queueCustomerConversation(
    trx,
    { conversationId, websiteId: row.website_id, clientId: row.client_id, visitorId: visitor.id },
    at,
  );
  await trx
    .updateTable('channel_contact')
    .set({ conversation_id: conversationId })
    .where('id', '=', contact.id)
    .execute();
  outcome.opened.push({ conversationId, websiteId: row.website_id });
  return conversationId;
}

/** Writes one customer message (once per provider id) into its conversation. */
export async function deliverInboundMessage(
  trx: Tx,
  channel: OpenChannel,
  message: InboundMessage,
  media: FetchedMedia | undefined,
  outcome: InboundOutcome,
): Promise<void> {
  if (!(await firstSighting(trx, channel.row.id, message.providerMessageId))) return;
  const conversationId = await conversationFor(trx, channel, message, outcome);
  const data: Record<string, unknown> = {
    source: channel.row.type,
    provider_message_id: message.providerMessageId,
    content: message.content.type,
  };
  const content = message.content;
  if (content.type === 'media') {
    data.media_kind = content.kind;
    data.mime_type = media?.mimeType ?? content.mimeType ?? null;
    if (media !== undefined) data.media_id = await storeMedia(trx, channel, conversationId, content, media);
    else data.media_error = 'The media could not be downloaded from the provider.';
  } else if (content.type === 'location')
    Object.assign(data, { latitude: content.latitude, longitude: content.longitude });
  else if (content.type === 'reply') data.reply_id = content.id;
  else if (content.type === 'reaction') {
    data.reaction_to = content.messageId;
    const target = await trx
      .selectFrom('channel_outbound')
      .select('seq')
      .where('channel_id', '=', channel.row.id)
      .where('provider_message_id', '=', content.messageId)
      .executeTakeFirst();
    if (target !== undefined) data.reaction_to_seq = Number(target.seq);
  } else if (content.type === 'contacts') data.contacts = content.contacts;
  if (message.profileName !== undefined) data.profile_name = message.profileName;
  const row = await appendMessage(trx, conversationId, {
    kind: MESSAGE_KIND.visitor,
    text: describeContent(content),
    at: nowInstant(),
    data,
  });
  await trx
    .updateTable('channel_message_seen')
    .set({ conversation_id: conversationId, seq: row.seq })
    .where('channel_id', '=', channel.row.id)
    .where('provider_message_id', '=', message.providerMessageId)
    .execute();
  // The customer-service window runs from the customer's last message.
  await trx
    .updateTable('channel_contact')
    .set({ last_inbound_at: message.at })
    .where('channel_id', '=', channel.row.id)
    .where('address', '=', message.from)
    .where((eb) => eb.or([eb('last_inbound_at', 'is', null), eb('last_inbound_at', '<', message.at)]))
    .execute();
  outcome.entries.push({ conversationId, row });
}

/**
 * Stored payloads not processed yet, oldest first (those set aside until `claimed_until` excepted). No lock here: the
 * processing transaction locks the rows it takes (FOR UPDATE SKIP LOCKED on PostgreSQL), so one commit does both.
 */
export async function pendingInbound(
  db: Kysely<Database>,
  limit: number,
): Promise<Array<{ id: number; channel_id: number; content_type: string; body: string; attempts: number }>> {
  const now = nowInstant();
  return db
    .selectFrom('channel_inbound')
    .select(['id', 'channel_id', 'content_type', 'body', 'attempts'])
    .where('processed_at', 'is', null)
    .where((eb) => eb.or([eb('claimed_until', 'is', null), eb('claimed_until', '<', now)]))
    .orderBy('id')
    .limit(limit)
    .execute();
}

/** What a processed payload's row keeps about the parts it did not apply, or null when it applied everything. */
function processedNote(pendingStatuses: number, skipped: readonly string[]): string | null {
  const notes = [...skipped];
  if (pendingStatuses > 0) notes.push(`${pendingStatuses} status(es) for unknown messages ignored.`);
  return notes.length === 0 ? null : notes.join(' ').slice(0, 1000);
}

/** Attempts at a payload whose statuses name unknown messages, before it is set aside. */
const STATUS_ATTEMPTS = 10;

/** A stored payload with its channel, ready to process. */
export interface InboundWork {
  stored: { id: number; content_type: string; body: string; attempts: number };
  channel: OpenChannel;
  sendContext: SendContext<OpenChannel['credentials']>;
}

/**
 * Processes stored payloads in one transaction (one commit for the batch: the disk's flush, not the parsing, bounds
 * the rate): their messages (media downloaded first, outside it) and statuses. Each payload is marked processed in the
 * same transaction, so a crash processes it again, and de-duplication on the provider id keeps that harmless.
 */
export async function processInbound(db: Kysely<Database>, batch: readonly InboundWork[]): Promise<InboundOutcome> {
  const parsed: Array<{
    work: InboundWork;
    messages: InboundMessage[];
    statuses: DeliveryStatus[];
    templateStatuses: WhatsappTemplateStatus[];
    media: Map<string, FetchedMedia | undefined>;
    skipped: string[];
  }> = [];
  for (const work of batch) {
    const adapter = adapterFor(work.channel.row.type);
    const stored = Buffer.from(work.stored.body, 'latin1');
    // Parts addressed to another account of the provider are left out before parsing: they open nothing here.
    const { body: raw, skipped } = adapter.ownPart?.(stored, work.channel.credentials) ?? { body: stored, skipped: [] };
    const messages = adapter.parseInbound(raw, work.stored.content_type);
    const statuses = adapter.parseDeliveryStatus(raw, work.stored.content_type);
    // Meta's review of the account's message templates comes on the same webhook (issue 20).
    const templateStatuses = work.channel.row.type === 'whatsapp' ? whatsappTemplateStatuses(raw) : [];
    const media = new Map<string, FetchedMedia | undefined>();
    for (const message of messages) {
      if (message.content.type !== 'media' || adapter.fetchMedia === undefined) continue;
      const seen = await db
        .selectFrom('channel_message_seen')
        .select('provider_message_id')
        .where('channel_id', '=', work.channel.row.id)
        .where('provider_message_id', '=', message.providerMessageId)
        .executeTakeFirst();
      if (seen !== undefined) continue;
      try {
        media.set(message.providerMessageId, await adapter.fetchMedia(work.sendContext, message.content));
      } catch {
        // The message is kept without its file; the entry's data says so.
        media.set(message.providerMessageId, undefined);
      }
    }
    parsed.push({ work, messages, statuses, templateStatuses, media, skipped: [...new Set(skipped)] });
  }
  const outcome: InboundOutcome = {
    entries: [],
    opened: [],
    deliveries: [],
    pendingStatuses: 0,
    skipped: [],
    taken: 0,
  };
  await transact(db, async (trx) => {
    // The rows still unprocessed, locked until commit: another node (or pass) skips them, and a crash releases them.
    let free = trx
      .selectFrom('channel_inbound')
      .select('id')
      .where(
        'id',
        'in',
        parsed.map((item) => item.work.stored.id),
      )
      .where('processed_at', 'is', null);
    if (dialectOf(trx) === 'postgres') free = free.forUpdate().skipLocked();
    const taken = new Set((await free.execute()).map((row) => row.id));
    outcome.taken = taken.size;
    const processedCleanly: number[] = [];
    for (const { work, messages, statuses, templateStatuses, media, skipped } of parsed) {
      if (!taken.has(work.stored.id)) continue;
      for (const update of templateStatuses)
        await recordMetaTemplateStatus(trx, work.channel.row, update, nowInstant());
      for (const note of skipped)
        outcome.skipped.push({ channelId: work.channel.row.id, payloadId: work.stored.id, note });
      for (const message of messages)
        await deliverInboundMessage(trx, work.channel, message, media.get(message.providerMessageId), outcome);
      let pending = 0;
      for (const status of statuses) {
        const change = await applyDeliveryStatus(trx, work.channel.row.id, status);
        if (change === undefined) pending += 1;
        else if (change !== null) outcome.deliveries.push(change);
      }
      outcome.pendingStatuses += pending;
      const retryLater = pending > 0 && messages.length === 0 && work.stored.attempts + 1 < STATUS_ATTEMPTS;
      const note = processedNote(pending, skipped);
      if (!retryLater && note === null) {
        processedCleanly.push(work.stored.id);
        continue;
      }
      await trx
        .updateTable('channel_inbound')
        .set(
          retryLater
            ? {
                claimed_until: new Date(Date.now() + 500 * (work.stored.attempts + 1)).toISOString(),
                attempts: work.stored.attempts + 1,
                error: 'Status for a message not known yet; retried.',
              }
            : { processed_at: nowInstant(), claimed_until: null, error: note },
        )
        .where('id', '=', work.stored.id)
        .execute();
    }
    // The usual case, a payload processed with nothing to note, is marked for the whole batch in one statement.
    if (processedCleanly.length > 0)
      await trx
        .updateTable('channel_inbound')
        .set({ processed_at: nowInstant(), claimed_until: null, error: null })
        .where('id', 'in', processedCleanly)
        .execute();
  });
  return outcome;
}
