// What a send says on the channel it leaves on: a text's variables filled, or the account's template rendered for
// that channel (template-render.ts). Also what a content needs (its variables) before a send is accepted, and which
// channels a content can use (WhatsApp opens a conversation only with a template Meta approved).
import type { Kysely } from 'kysely';
import type { Database, MessengerChannel } from '../../db/schema.js';
import type { Tx } from '../../events/transact.js';
import { fillText, type MessengerContent, textVariables } from './messages.js';
import { MissingVariable, renderTemplate, templateVariables } from './template-render.js';
import { loadTemplate } from './templates.js';

/** A send's message as the channel's outbound path takes it: the conversation entry's text and data. */
export interface RenderedSend {
  text: string;
  data: Record<string, unknown>;
}

/** Why a content cannot leave on a channel: the send fails with this code and message. */
export class ContentRefused extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ContentRefused';
  }
}

/** The variable a send fills itself, when not given: a chat token's URL for the recipient (`/chatbot/token`). */
export const CHAT_URL_VARIABLE = 'chat_url';

/** The content's variables, in order (a 404 naming `content.template_id` for a template the account does not have). */
export async function contentVariables(
  db: Kysely<Database> | Tx,
  clientId: number,
  content: MessengerContent,
): Promise<string[]> {
  if ('text' in content) return textVariables(content.text);
  const template = await loadTemplate(db, clientId, content.template_id, 'content.template_id');
  return templateVariables(template.content);
}

/** The variables a caller must give: the content's, less those a send fills itself. */
export async function requiredVariables(
  db: Kysely<Database> | Tx,
  clientId: number,
  content: MessengerContent,
): Promise<string[]> {
  return (await contentVariables(db, clientId, content)).filter((name) => name !== CHAT_URL_VARIABLE);
}

/** Whether the content may open a conversation on `channel` (WhatsApp: a template Meta approved). */
export async function usableOn(
  db: Kysely<Database> | Tx,
  clientId: number,
  content: MessengerContent,
  channel: MessengerChannel,
): Promise<boolean> {
  if (channel !== 'whatsapp') return true;
  if ('text' in content) return false;
  const template = await loadTemplate(db, clientId, content.template_id).catch(() => undefined);
  return template?.row.whatsapp_status === 'approved';
}

/** The content for `channel`, its variables filled; ContentRefused when it cannot be sent there. */
export async function renderSend(
  db: Kysely<Database> | Tx,
  clientId: number,
  content: MessengerContent,
  variables: Readonly<Record<string, string>>,
  channel: MessengerChannel,
): Promise<RenderedSend> {
  if ('text' in content) return { text: fillText(content.text, variables), data: {} };
  const template = await loadTemplate(db, clientId, content.template_id).catch(() => undefined);
  if (template === undefined)
    throw new ContentRefused('template_deleted', `Template ${content.template_id} was deleted before the send left.`);
  if (channel === 'whatsapp' && template.row.whatsapp_status !== 'approved')
    throw new ContentRefused(
      'template_not_approved',
      `Template '${template.row.name}' is '${template.row.whatsapp_status}' on WhatsApp: only a template Meta approved opens a conversation there.`,
    );
  try {
    const rendered = renderTemplate(
      { name: template.row.name, language: template.row.language, content: template.content },
      variables,
      channel,
    );
    const data: Record<string, unknown> = { messenger_template_id: template.row.id };
    if (rendered.content.type === 'template')
      data.template = {
        name: rendered.content.name,
        language: rendered.content.language,
        parameters: rendered.content.parameters,
        ...(rendered.content.header !== undefined && { header: rendered.content.header }),
        ...(rendered.content.buttons !== undefined && { buttons: rendered.content.buttons }),
      };
    return { text: rendered.text, data };
  } catch (error) {
    if (error instanceof MissingVariable) throw new ContentRefused('missing_variable', error.message);
    throw error;
  }
}
