// Queries for visitors and call meetings, limited to the clients the principal may see.
import { type Kysely, sql } from 'kysely';
import { wildcardMatch } from '../../db/dialect.js';
import { type IdPage, inIdOrder, pageOfIds } from '../../db/paging.js';
import type { CallMeetingRow, Database, VisitorRow } from '../../db/schema.js';
import type { ListQuery } from '../../list-query.js';
import { parseApiDate } from '../../time.js';
import { clientScope, type Principal } from '../tenancy/policy.js';

export type VisitorFilter = 'unique_id' | 'external_id' | 'website_id' | 'q';

/** How a contact can be reached or recognised: a browser, a messaging address, an email or a phone number. */
export type IdentityType = 'web' | 'whatsapp' | 'sms' | 'rcs' | 'chat' | 'email' | 'phone';
export interface VisitorIdentityView {
  type: IdentityType;
  value: string;
}
export type CallMeetingFilter = 'website_id' | 'from' | 'to';

/** A visitor row with the websites it is linked to, as presented. */
export interface VisitorRecord extends VisitorRow {
  website_id: number[];
  /** Its identities and those of the visitors merged into it. */
  identities: VisitorIdentityView[];
  /** Its conversations, newest first. */
  conversation_id: number[];
}

const CHANNEL_UID = /^(whatsapp|sms|rcs|chat):(.+)$/;

/** The identity a unique id stands for: `whatsapp:+336…` is a messaging address, anything else a browser (or API) id. */
function identityOfUid(uniqueId: string): VisitorIdentityView {
  const channel = CHANNEL_UID.exec(uniqueId);
  if (channel?.[1] && channel[2]) return { type: channel[1] as IdentityType, value: channel[2] };
  return { type: 'web', value: uniqueId };
}

/** A LIKE pattern matching text that contains `words` (wildcards of the words taken literally), for `lower(...)`. */
function containsPattern(words: string): string {
  return `%${words.toLowerCase().replace(/[\\%_]/g, (character) => `\\${character}`)}%`;
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
    .where('deleted_at', 'is', null)
    .where('merged_into_id', 'is', null);
  const { unique_id, external_id, website_id, q } = query.filters;
  if (typeof q === 'string' && q.trim() !== '') {
    // Names, email, phone and ids of the visitor or of one merged into it; "julie mar" finds Julie Martin.
    const pattern = containsPattern(q.trim());
    const like = (column: string) => sql<boolean>`lower(${sql.ref(column)}) like ${pattern} escape '\\'`;
    matches = matches.where(
      'id',
      'in',
      db
        .selectFrom('visitor as known')
        .select(sql<number>`coalesce(known.merged_into_id, known.id)`.as('id'))
        .where(clientScope(principal, 'known.client_id'))
        .where((eb) =>
          eb.or([
            like('known.firstname'),
            like('known.lastname'),
            sql<boolean>`lower(coalesce(known.firstname, '') || ' ' || coalesce(known.lastname, '')) like ${pattern} escape '\\'`,
            like('known.email'),
            like('known.phone'),
            like('known.unique_id'),
            like('known.external_id'),
          ]),
        ),
    );
  }
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
    .where('merged_into_id', 'is', null)
    .where(clientScope(principal, 'visitor.client_id'))
    .execute();
  if (rows.length === 0) return [];
  const found = rows.map((row) => row.id);
  const [links, merged, contacts, conversations] = await Promise.all([
    db
      .selectFrom('visitor_website')
      .select(['visitor_id', 'website_id'])
      .where('visitor_id', 'in', found)
      .orderBy('website_id')
      .execute(),
    db
      .selectFrom('visitor')
      .select(['merged_into_id', 'unique_id', 'email', 'phone'])
      .where('merged_into_id', 'in', found)
      .orderBy('id')
      .execute(),
    db
      .selectFrom('channel_contact')
      .innerJoin('channel', 'channel.id', 'channel_contact.channel_id')
      .select(['channel_contact.visitor_id', 'channel.type', 'channel_contact.address'])
      .where('channel_contact.visitor_id', 'in', found)
      .orderBy('channel_contact.id')
      .execute(),
    db
      .selectFrom('conversation')
      .select(['id', 'visitor_id'])
      .where('visitor_id', 'in', found)
      .orderBy('id', 'desc')
      .execute(),
  ]);
  return inIdOrder(
    ids,
    rows.map((row) => {
      const mergedRows = merged.filter((other) => other.merged_into_id === row.id);
      const identities: VisitorIdentityView[] = [
        identityOfUid(row.unique_id),
        ...mergedRows.map((other) => identityOfUid(other.unique_id)),
        ...contacts
          .filter((contact) => contact.visitor_id === row.id)
          .map((contact) => ({ type: contact.type, value: contact.address })),
        ...[row, ...mergedRows].flatMap((source) => [
          ...(source.email ? [{ type: 'email' as const, value: source.email }] : []),
          ...(source.phone ? [{ type: 'phone' as const, value: source.phone }] : []),
        ]),
      ];
      return {
        ...row,
        website_id: links.filter((link) => link.visitor_id === row.id).map((link) => link.website_id),
        identities: identities.filter(
          (identity, index) =>
            identities.findIndex((other) => other.type === identity.type && other.value === identity.value) === index,
        ),
        conversation_id: conversations
          .filter((conversation) => conversation.visitor_id === row.id)
          .map((conversation) => conversation.id),
      };
    }),
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
