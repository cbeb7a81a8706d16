// Queries for visitors and call meetings, limited to the clients the principal may see.
import type { Kysely } from 'kysely';
import { wildcardMatch } from '../../db/dialect.js';
import { type IdPage, inIdOrder, pageOfIds } from '../../db/paging.js';
import type { CallMeetingRow, Database, VisitorRow } from '../../db/schema.js';
import type { ListQuery } from '../../list-query.js';
import { parseApiDate } from '../../time.js';
import { clientScope, type Principal } from '../tenancy/policy.js';

export type VisitorFilter = 'unique_id' | 'external_id' | 'website_id';
export type CallMeetingFilter = 'website_id' | 'from' | 'to';

/** A visitor row with the websites it is linked to, as presented. */
export interface VisitorRecord extends VisitorRow {
  website_id: number[];
}

export function listVisitorIds(
  db: Kysely<Database>,
  principal: Principal,
  query: ListQuery<VisitorFilter>,
): Promise<IdPage> {
  let matches = db
    .selectFrom('visitor')
    .select('id')
    .where(clientScope(principal, 'visitor.client_id'))
    .where('deleted_at', 'is', null);
  const { unique_id, external_id, website_id } = query.filters;
  if (typeof unique_id === 'string') matches = matches.where(wildcardMatch('visitor.unique_id', unique_id));
  if (typeof external_id === 'string') matches = matches.where(wildcardMatch('visitor.external_id', external_id));
  if (typeof website_id === 'number') {
    matches = matches.where(
      'id',
      'in',
      db.selectFrom('visitor_website').select('visitor_id').where('website_id', '=', website_id),
    );
  }
  return pageOfIds(db, matches, query.page, query.limit);
}

/** Loads live (not deleted) visitors with their website lists. */
export async function loadVisitors(
  db: Kysely<Database>,
  principal: Principal,
  ids: number[],
): Promise<VisitorRecord[]> {
  if (ids.length === 0) return [];
  const rows = await db
    .selectFrom('visitor')
    .selectAll()
    .where('id', 'in', ids)
    .where('deleted_at', 'is', null)
    .where(clientScope(principal, 'visitor.client_id'))
    .execute();
  if (rows.length === 0) return [];
  const links = await db
    .selectFrom('visitor_website')
    .select(['visitor_id', 'website_id'])
    .where(
      'visitor_id',
      'in',
      rows.map((row) => row.id),
    )
    .orderBy('website_id')
    .execute();
  return inIdOrder(
    ids,
    rows.map((row) => ({
      ...row,
      website_id: links.filter((link) => link.visitor_id === row.id).map((link) => link.website_id),
    })),
  );
}

export function listCallMeetingIds(
  db: Kysely<Database>,
  principal: Principal,
  query: ListQuery<CallMeetingFilter>,
): Promise<IdPage> {
  let matches = db.selectFrom('call_meeting').select('id').where(clientScope(principal, 'call_meeting.client_id'));
  const { website_id, from, to } = query.filters;
  if (typeof website_id === 'number') matches = matches.where('website_id', '=', website_id);
  // Instants are stored as ISO text, which sorts as time does: compare text with text.
  const start = typeof from === 'string' ? parseApiDate(from) : null;
  if (start) matches = matches.where('start_at', '>=', start.start.toISOString());
  const end = typeof to === 'string' ? parseApiDate(to) : null;
  if (end) matches = matches.where('start_at', '<', end.endExclusive.toISOString());
  return pageOfIds(db, matches, query.page, query.limit);
}

export async function loadCallMeetings(
  db: Kysely<Database>,
  principal: Principal,
  ids: number[],
): Promise<CallMeetingRow[]> {
  if (ids.length === 0) return [];
  const rows = await db
    .selectFrom('call_meeting')
    .selectAll()
    .where('id', 'in', ids)
    .where(clientScope(principal, 'call_meeting.client_id'))
    .execute();
  return inIdOrder(ids, rows);
}
