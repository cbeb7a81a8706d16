// Queries for partners, clients, API keys and websites, always limited to what the principal may see.
import { type Kysely, type SqlBool, sql } from 'kysely';
import { wildcardMatch } from '../../db/dialect.js';
import { type IdPage, inIdOrder, pageOfIds } from '../../db/paging.js';
import type { ApiKeyRow, ClientRow, Database, PartnerRow, WebsiteRow } from '../../db/schema.js';
import type { ListQuery } from '../../list-query.js';
import { clientScope, type Principal } from './policy.js';

export type ClientFilter = 'name' | 'partner_id';
export type WebsiteFilter = 'client_id' | 'url' | 'label';
export type ApiKeyFilter = 'client_id' | 'partner_id' | 'revoked';

export function listPartnerIds(db: Kysely<Database>, query: ListQuery<string>): Promise<IdPage> {
  return pageOfIds(db, db.selectFrom('partner').select('id'), query.page, query.limit);
}

export async function loadPartners(db: Kysely<Database>, ids: number[]): Promise<PartnerRow[]> {
  if (ids.length === 0) return [];
  return inIdOrder(ids, await db.selectFrom('partner').selectAll().where('id', 'in', ids).execute());
}

export function listClientIds(
  db: Kysely<Database>,
  principal: Principal,
  query: ListQuery<ClientFilter>,
): Promise<IdPage> {
  let matches = db.selectFrom('client').select('id').where(clientScope(principal, 'client.id'));
  const { name, partner_id } = query.filters;
  if (typeof name === 'string') matches = matches.where(wildcardMatch('client.name', name));
  if (typeof partner_id === 'number') matches = matches.where('partner_id', '=', partner_id);
  return pageOfIds(db, matches, query.page, query.limit);
}

export async function loadClients(db: Kysely<Database>, principal: Principal, ids: number[]): Promise<ClientRow[]> {
  if (ids.length === 0) return [];
  const rows = await db
    .selectFrom('client')
    .selectAll()
    .where('id', 'in', ids)
    .where(clientScope(principal, 'client.id'))
    .execute();
  return inIdOrder(ids, rows);
}

export function listWebsiteIds(
  db: Kysely<Database>,
  principal: Principal,
  query: ListQuery<WebsiteFilter>,
): Promise<IdPage> {
  let matches = db.selectFrom('website').select('id').where(clientScope(principal, 'website.client_id'));
  const { client_id, url, label } = query.filters;
  if (typeof client_id === 'number') matches = matches.where('client_id', '=', client_id);
  if (typeof url === 'string') matches = matches.where(wildcardMatch('website.url', url));
  if (typeof label === 'string') matches = matches.where(wildcardMatch('website.label', label));
  return pageOfIds(db, matches, query.page, query.limit);
}

export async function loadWebsites(db: Kysely<Database>, principal: Principal, ids: number[]): Promise<WebsiteRow[]> {
  if (ids.length === 0) return [];
  const rows = await db
    .selectFrom('website')
    .selectAll()
    .where('id', 'in', ids)
    .where(clientScope(principal, 'website.client_id'))
    .execute();
  return inIdOrder(ids, rows);
}

/** Keys visible to a principal: platform sees all; a partner its own and its clients'; a client its own. */
export function listApiKeyIds(
  db: Kysely<Database>,
  principal: Principal,
  query: ListQuery<ApiKeyFilter>,
): Promise<IdPage> {
  let matches = scopedKeys(db, principal);
  const { client_id, partner_id, revoked } = query.filters;
  if (typeof client_id === 'number') matches = matches.where('client_id', '=', client_id);
  if (typeof partner_id === 'number') matches = matches.where('partner_id', '=', partner_id);
  if (revoked === true) matches = matches.where('revoked_at', 'is not', null);
  if (revoked === false) matches = matches.where('revoked_at', 'is', null);
  return pageOfIds(db, matches, query.page, query.limit);
}

export async function loadApiKeys(db: Kysely<Database>, principal: Principal, ids: number[]): Promise<ApiKeyRow[]> {
  if (ids.length === 0) return [];
  const visible = scopedKeys(db, principal).where('id', 'in', ids);
  const rows = await db.selectFrom('api_key').selectAll().where('id', 'in', visible).execute();
  return inIdOrder(ids, rows);
}

function scopedKeys(db: Kysely<Database>, principal: Principal) {
  const keys = db.selectFrom('api_key').select('id');
  switch (principal.scope) {
    case 'platform':
      return keys;
    case 'partner':
      return keys.where((eb) =>
        eb.or([eb('partner_id', '=', principal.partnerId), clientScope(principal, 'api_key.client_id')]),
      );
    case 'client':
      return keys.where('client_id', '=', principal.clientId);
    case 'developer':
      return keys.where(sql<SqlBool>`1 = 0`);
  }
}
