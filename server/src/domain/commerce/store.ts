// Queries for transactions (the `sale` table), limited to the clients the principal may see.
import type { Kysely } from 'kysely';
import { type IdPage, inIdOrder, pageOfIds } from '../../db/paging.js';
import type { Database, SaleRow } from '../../db/schema.js';
import type { ListQuery } from '../../list-query.js';
import { parseApiDate } from '../../time.js';
import { clientScope, type Principal } from '../tenancy/policy.js';

export type TransactionFilter = 'website_id' | 'operator_id' | 'conversation_id' | 'from' | 'to';

export function listTransactionIds(
  db: Kysely<Database>,
  principal: Principal,
  query: ListQuery<TransactionFilter>,
): Promise<IdPage> {
  let matches = db.selectFrom('sale').select('id').where(clientScope(principal, 'sale.client_id'));
  const { website_id, operator_id, conversation_id, from, to } = query.filters;
  if (typeof website_id === 'number') matches = matches.where('website_id', '=', website_id);
  if (typeof operator_id === 'number') matches = matches.where('operator_id', '=', operator_id);
  if (typeof conversation_id === 'number') matches = matches.where('conversation_id', '=', conversation_id);
  if (conversation_id === 'null') matches = matches.where('conversation_id', 'is', null);
  if (conversation_id === '!null') matches = matches.where('conversation_id', 'is not', null);
  // Instants are stored as ISO text, which sorts as time does: compare text with text.
  const start = typeof from === 'string' ? parseApiDate(from) : null;
  if (start) matches = matches.where('created_at', '>=', start.start.toISOString());
  const end = typeof to === 'string' ? parseApiDate(to) : null;
  if (end) matches = matches.where('created_at', '<', end.endExclusive.toISOString());
  return pageOfIds(db, matches, query.page, query.limit);
}

export async function loadTransactions(db: Kysely<Database>, principal: Principal, ids: number[]): Promise<SaleRow[]> {
  if (ids.length === 0) return [];
  const rows = await db
    .selectFrom('sale')
    .selectAll()
    .where('id', 'in', ids)
    .where(clientScope(principal, 'sale.client_id'))
    .execute();
  return inIdOrder(ids, rows);
}
