// WhatsApp template messages: the only messages WhatsApp allows outside the 24-hour customer-service window. Appended
// as an operator message naming the template and its parameters, and queued for the provider in the same transaction.
import type { Kysely } from 'kysely';
import type { ConversationMessageRow, Database } from '../db/schema.js';
import { MESSAGE_KIND } from '../db/schema.js';
import { actAsOperator, appendMessage, writingOperator } from '../domain/conversations/commands.js';
import { conflict, fieldInvalid } from '../errors.js';
import { transact } from '../events/transact.js';
import { nowInstant } from '../time.js';

export interface TemplateRequest {
  name: string;
  language: string;
  parameters?: string[];
  operator_id?: number;
}

/** The conversation as a route loaded it (tenant-checked). */
interface TargetConversation {
  id: number;
  client_id: number;
  status: string;
  operator_id: number | null;
}

/**
 * Sends an approved template in a WhatsApp conversation; `channelId`, when given, must be the conversation's channel.
 * The message text reads `[template name (language)] p1 | p2` so the history shows what was sent.
 */
export async function sendTemplateMessage(
  db: Kysely<Database>,
  conversation: TargetConversation,
  template: TemplateRequest,
  channelId?: number,
): Promise<ConversationMessageRow> {
  const contact = await db
    .selectFrom('channel_contact')
    .innerJoin('channel', 'channel.id', 'channel_contact.channel_id')
    .select(['channel.id as channel_id', 'channel.type'])
    .where('channel_contact.conversation_id', '=', conversation.id)
    .orderBy('channel_contact.id', 'desc')
    .executeTakeFirst();
  if (channelId !== undefined && contact?.channel_id !== channelId)
    throw fieldInvalid(
      'conversation_id',
      `Conversation ${conversation.id} is not a conversation of channel ${channelId}.`,
    );
  if (contact === undefined || contact.type !== 'whatsapp')
    throw conflict(`Conversation ${conversation.id} is not a WhatsApp conversation: templates are WhatsApp messages.`);
  if (conversation.status === 'closed') throw conflict(`Conversation ${conversation.id} is closed.`);
  const parameters = template.parameters ?? [];
  const operatorId = writingOperator(conversation, template.operator_id);
  return transact(db, async (trx) => {
    await actAsOperator(trx, conversation, operatorId);
    const text = `[template ${template.name} (${template.language})]${parameters.length > 0 ? ` ${parameters.join(' | ')}` : ''}`;
    return appendMessage(trx, conversation.id, {
      kind: MESSAGE_KIND.operator,
      text,
      operatorId,
      at: nowInstant(),
      data: { template: { name: template.name, language: template.language, parameters } },
    });
  });
}
