// A flow's messages to a customer go through the channels' own outbound path: the customer's conversation on the
// channel (opened by the flow when there is none, without an operator), a history entry, and the channel_outbound row
// the channel workers send — all in the step's transaction. Handover puts that conversation in the operators' queue.
import type { Transaction } from 'kysely';
import type { TemplateHeaderParameter } from '../../channels/adapter.js';
import { channelVisitorUid, contactOf } from '../../channels/inbound.js';
import { planProviderMessage, queueProviderMessage } from '../../channels/outbox.js';
import { preparedQuery } from '../../db/prepared.js';
import { type Database, MESSAGE_KIND } from '../../db/schema.js';
import { nowInstant } from '../../time.js';
import { appendMessage, openConversation } from '../conversations/commands.js';
import { queueCustomerConversation } from '../routing/queue.js';
import { findOrCreateVisitor } from '../visitors/identity.js';

type Tx = Transaction<Database>;

/** A step cannot run as written (no such channel, no customer number): the run fails with this message. */
export class StepRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StepRefused';
  }
}

export interface ChannelTarget {
  channelId: number;
  clientId: number;
  address: string;
}

/** The customer's open conversation on the channel, or a new one opened by the flow (no operator, not queued). */
export async function customerConversation(trx: Tx, target: ChannelTarget): Promise<number> {
  const channel = await accountChannel.first(trx, { id: target.channelId, clientId: target.clientId });
  if (channel === undefined || channel.deleted_at !== null)
    throw new StepRefused(`Channel ${target.channelId} is not a channel of this account.`);
  if (channel.type === 'chat')
    throw new StepRefused(`Channel ${target.channelId} is web chat: flows message WhatsApp, SMS or RCS.`);
  if (!/^\+[1-9][0-9]{6,14}$/.test(target.address))
    throw new StepRefused(`'${target.address}' is not a phone number in E.164 form (+393331234567).`);
  const contact = await contactOf(trx, channel.id, target.address);
  if (contact?.openConversationId !== undefined) return contact.openConversationId;
  const at = nowInstant();
  const uniqueId = channelVisitorUid(channel.type, target.address);
  const visitor = await findOrCreateVisitor(trx, {
    clientId: channel.client_id,
    websiteId: channel.website_id,
    uniqueId,
    initial: { phone: target.address },
    at,
  });
  let contactId = contact?.id;
  if (contactId === undefined) {
    const inserted = await insertContact.first(trx, {
      channelId: channel.id,
      address: target.address,
      visitorId: visitor.id,
      at,
    });
    if (inserted === undefined)
      throw new Error(`The contact ${target.address} of channel ${channel.id} was not stored.`);
    contactId = inserted.id;
  }
  const conversationId = await openConversation(trx, {
    clientId: channel.client_id,
    websiteId: channel.website_id,
    channel: 'chat',
    source: channel.type,
    visitor: { id: visitor.id, uniqueId },
    contactType: 'outbound',
    phoneNumber: target.address,
    userAgent: null,
    status: 'open',
    createdAt: at,
  });
  await contactConversation(trx, { id: contactId, conversationId });
  return conversationId;
}

// Prepared (db/prepared.ts): a flow's first message to a customer runs each of them.
const accountChannel = preparedQuery((db, p: { id: number; clientId: number }) =>
  db
    .selectFrom('channel')
    .select(['id', 'client_id', 'website_id', 'type', 'enabled', 'deleted_at'])
    .where('id', '=', p.id)
    .where('client_id', '=', p.clientId),
);

const insertContact = preparedQuery((db, p: { channelId: number; address: string; visitorId: number; at: string }) =>
  db
    .insertInto('channel_contact')
    .values({
      channel_id: p.channelId,
      address: p.address,
      visitor_id: p.visitorId,
      conversation_id: null,
      last_inbound_at: null,
      created_at: p.at,
    })
    .returning('id'),
);

const contactConversation = preparedQuery((db, p: { id: number; conversationId: number }) =>
  db.updateTable('channel_contact').set({ conversation_id: p.conversationId }).where('id', '=', p.id),
);

export type FlowContent =
  | { type: 'text'; text: string }
  | {
      type: 'template';
      name: string;
      language: string;
      parameters: string[];
      header?: TemplateHeaderParameter;
      buttons?: Array<{ index: number; text: string }>;
    };

/**
 * Writes the flow's message in the customer's conversation (a system entry: no operator wrote it) and queues it for
 * the provider in the same transaction; answers the conversation and the entry's seq. Refused as the channels refuse
 * an operator's reply (a free-form WhatsApp message outside the 24-hour window must be a template).
 */
export async function sendFlowMessage(
  trx: Tx,
  target: ChannelTarget,
  content: FlowContent,
  origin: { runId: number; ordinal: number },
): Promise<{ conversationId: number; seq: number }> {
  const conversationId = await customerConversation(trx, target);
  const text =
    content.type === 'text'
      ? content.text
      : `[template ${content.name} (${content.language})]${content.parameters.length > 0 ? ` ${content.parameters.join(' | ')}` : ''}`;
  const data: Record<string, unknown> = { flow_run_id: origin.runId, flow_step: origin.ordinal };
  if (content.type === 'template')
    // In the shapes the outbox reads back (channels/outbox.ts contentOf), as the messenger's sends write them.
    data.template = {
      name: content.name,
      language: content.language,
      parameters: content.parameters,
      ...(content.header !== undefined && { header: content.header }),
      ...(content.buttons !== undefined && content.buttons.length > 0 && { buttons: content.buttons }),
    };
  let planned: Awaited<ReturnType<typeof planProviderMessage>>;
  try {
    planned = await planProviderMessage(trx, conversationId, { text, data });
  } catch (error) {
    throw new StepRefused(error instanceof Error ? error.message : String(error));
  }
  if (planned === undefined) throw new StepRefused(`Conversation ${conversationId} is not on a messaging channel.`);
  const row = await appendMessage(trx, conversationId, { kind: MESSAGE_KIND.system, text, at: nowInstant(), data });
  await queueProviderMessage(trx, planned, Number(row.seq));
  return { conversationId, seq: Number(row.seq) };
}

/** Hands the customer's conversation to the operators: it waits in the website's queue like an inbound one. */
export async function handOver(trx: Tx, target: ChannelTarget, note: string | undefined): Promise<number> {
  const conversationId = await customerConversation(trx, target);
  const at = nowInstant();
  const conversation = await trx
    .selectFrom('conversation')
    .select(['website_id', 'visitor_id', 'status', 'operator_id'])
    .where('id', '=', conversationId)
    .executeTakeFirstOrThrow();
  if (note !== undefined && note !== '')
    await appendMessage(trx, conversationId, { kind: MESSAGE_KIND.system, text: note, at, data: { handover: true } });
  if (conversation.status === 'open' && conversation.operator_id === null)
    await queueCustomerConversation(
      trx,
      {
        conversationId,
        websiteId: conversation.website_id,
        clientId: target.clientId,
        visitorId: conversation.visitor_id,
      },
      at,
    );
  return conversationId;
}
