// Queries for satisfaction answers, limited to the clients the principal may see.
import type { Kysely } from 'kysely';
import { type IdPage, inIdOrder, pageOfIds } from '../../db/paging.js';
import type { Database, SatisfactionRow } from '../../db/schema.js';
import { fieldInvalid } from '../../errors.js';
import type { ListQuery } from '../../list-query.js';
import { parseApiDate } from '../../time.js';
import { clientScope, type Principal } from '../tenancy/policy.js';

export type SatisfactionFilter = 'website_id' | 'operator_id' | 'conversation_id' | 'from' | 'to';

export function listSatisfactionIds(
  db: Kysely<Database>,
  principal: Principal,
  query: ListQuery<SatisfactionFilter>,
): Promise<IdPage> {
  let matches = db.selectFrom('satisfaction').select('id').where(clientScope(principal, 'satisfaction.client_id'));
  const { website_id, operator_id, conversation_id, from, to } = query.filters;
  if (typeof website_id === 'number') matches = matches.where('website_id', '=', website_id);
  if (typeof operator_id === 'number') matches = matches.where('operator_id', '=', operator_id);
  if (typeof conversation_id === 'number') matches = matches.where('conversation_id', '=', conversation_id);
  // Instants are stored as ISO text, which sorts as time does: compare text with text.
  const start = typeof from === 'string' ? parseApiDate(from) : null;
  if (start) matches = matches.where('created_at', '>=', start.start.toISOString());
  const end = typeof to === 'string' ? parseApiDate(to) : null;
  if (end) matches = matches.where('created_at', '<', end.endExclusive.toISOString());
  return pageOfIds(db, matches, query.page, query.limit);
}

export async function loadSatisfactions(
  db: Kysely<Database>,
  principal: Principal,
  ids: number[],
): Promise<SatisfactionRow[]> {
  if (ids.length === 0) return [];
  const rows = await db
    .selectFrom('satisfaction')
    .selectAll()
    .where('id', 'in', ids)
    .where(clientScope(principal, 'satisfaction.client_id'))
    .execute();
  return inIdOrder(ids, rows);
}

/** The client owning a conversation the key can see; another tenant's conversation is unknown, as an absent one. */
export async function clientOfConversation(
  db: Kysely<Database>,
  principal: Principal,
  conversationId: number,
): Promise<number> {
  const row = await db
    .selectFrom('conversation')
    .select('client_id')
    .where('id', '=', conversationId)
    .where(clientScope(principal, 'conversation.client_id'))
    .executeTakeFirst();
  if (!row) throw fieldInvalid('conversation_id', `Unknown 'conversation' with 'id' ${conversationId}.`);
  return row.client_id;
}
