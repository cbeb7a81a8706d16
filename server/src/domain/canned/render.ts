// A canned response as sent in one conversation: its variables filled from the conversation's visitor and website and
// from the operator using it (the console session's operator; for an API key, the conversation's operator).
import type { Kysely } from 'kysely';
import type { CannedResponseRow, Database } from '../../db/schema.js';
import { unknownResource } from '../../errors.js';
import { loadConversationRows } from '../conversations/store.js';
import type { Principal } from '../tenancy/policy.js';
import { attachmentsOf } from './present.js';
import { firstWord, renderBody, type VariableValues } from './variables.js';

const joinNames = (...parts: (string | null | undefined)[]) =>
  parts
    .map((part) => part?.trim() ?? '')
    .filter((part) => part !== '')
    .join(' ');

/** The values of the variables in this conversation; what is not known stays null (rendered empty). */
export async function variableValues(
  db: Kysely<Database>,
  principal: Principal,
  conversationId: number,
): Promise<VariableValues & { clientId: number }> {
  const [conversation] = await loadConversationRows(db, principal, [conversationId]);
  if (conversation === undefined) throw unknownResource('conversation', conversationId, 'conversation_id');
  const operatorId =
    principal.scope === 'client' && principal.session !== undefined
      ? principal.session.operatorId
      : conversation.operator_id;
  const [visitor, website, operator] = await Promise.all([
    db
      .selectFrom('visitor')
      .select(['firstname', 'lastname'])
      .where('id', '=', conversation.visitor_id)
      .where('deleted_at', 'is', null)
      .executeTakeFirst(),
    db.selectFrom('website').select('label').where('id', '=', conversation.website_id).executeTakeFirst(),
    operatorId === null
      ? undefined
      : db
          .selectFrom('operator')
          .select(['name', 'first_name', 'pseudo'])
          .where('id', '=', operatorId)
          .executeTakeFirst(),
  ]);
  // Visitors know an operator by their pseudonym when they have one (as the widget shows them).
  const operatorName = operator?.pseudo?.trim() || operator?.name || null;
  return {
    clientId: conversation.client_id,
    'visitor.firstname': visitor?.firstname ?? null,
    'visitor.name': joinNames(visitor?.firstname, visitor?.lastname) || null,
    'operator.name': operatorName,
    'operator.firstname': operator?.pseudo?.trim()
      ? firstWord(operator.pseudo)
      : (operator?.first_name ?? firstWord(operator?.name)),
    'website.name': website?.label ?? null,
  };
}

/** The response's body for this conversation, and its attachments. A conversation of another client is unknown. */
export async function renderCannedResponse(
  db: Kysely<Database>,
  principal: Principal,
  response: CannedResponseRow,
  conversationId: number,
): Promise<{ id: number; body: string; attachments: string[] }> {
  const values = await variableValues(db, principal, conversationId);
  if (values.clientId !== response.client_id) throw unknownResource('conversation', conversationId, 'conversation_id');
  return { id: response.id, body: renderBody(response.body, values), attachments: attachmentsOf(response) };
}
