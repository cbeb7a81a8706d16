// What a send says on the channel it leaves on: a text's variables filled, or the account's template rendered for
// that channel. Also what a content needs (its variables) before a send is accepted, and which channels a content
// can use (WhatsApp outside its 24-hour window takes only an approved template).
import type { Kysely } from 'kysely';
import type { Database, MessengerChannel } from '../../db/schema.js';
import type { Tx } from '../../events/transact.js';
import { fillText, type MessengerContent, textVariables } from './messages.js';

/** A send's message as the channel's outbound path takes it: the conversation entry's text and data. */
export interface RenderedSend {
  text: string;
  data: Record<string, unknown>;
}

/** The content's variables (a text's), in order. */
export async function requiredVariables(
  _db: Kysely<Database> | Tx,
  _clientId: number,
  content: MessengerContent,
): Promise<string[]> {
  if ('text' in content) return textVariables(content.text);
  return [];
}

/** Whether the content may open a conversation on `channel` (WhatsApp: an approved template only). */
export async function usableOn(
  _db: Kysely<Database> | Tx,
  _clientId: number,
  content: MessengerContent,
  channel: MessengerChannel,
): Promise<boolean> {
  if (channel === 'whatsapp') return !('text' in content);
  return true;
}

/** The content for `channel`, its variables filled. */
export async function renderSend(
  _db: Kysely<Database> | Tx,
  _clientId: number,
  content: MessengerContent,
  variables: Readonly<Record<string, string>>,
  _channel: MessengerChannel,
): Promise<RenderedSend> {
  if ('text' in content) return { text: fillText(content.text, variables), data: {} };
  throw new Error(`Template ${content.template_id} cannot be rendered.`);
}
