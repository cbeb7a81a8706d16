// Rows → API shapes for the tenancy resources. `full` false gives seed 003's short list form: `id` and `_link`.
import type { ApiKeyRow, ClientRow, PartnerRow, WebsiteRow } from '../../db/schema.js';
import { formatDateTime } from '../../time.js';
import { type Principal, viewerOf } from './policy.js';

/** Seed 003's `_link`: the resource's path relative to the API base. */
export function link(resource: string, id: number): string {
  return `/${resource}/${id}`;
}

export function presentPartner(row: PartnerRow) {
  return { id: row.id, name: row.name, created_at: formatDateTime(row.created_at), _link: link('partner', row.id) };
}

export function presentClient(row: ClientRow) {
  return {
    id: row.id,
    name: row.name,
    lang: row.lang,
    partner_id: row.partner_id,
    timezone: row.timezone,
    created_at: formatDateTime(row.created_at),
    _link: link('client', row.id),
  };
}

/**
 * Who may read a website's `identity_secret`: with it, anyone can sign a visitor's identity and pass for that customer in
 * the widget. Agents' sessions never see it; the others can mint an API key anyway, which reads it (docs/SECURITY.md).
 */
export function seesIdentitySecret(principal: Principal): boolean {
  return viewerOf(principal) !== 'agent';
}

export function presentWebsite(principal: Principal, row: WebsiteRow) {
  return {
    id: row.id,
    url: row.url,
    label: row.label,
    client_id: row.client_id,
    created_at: formatDateTime(row.created_at),
    routing_strategy: row.routing_strategy ?? 'least_loaded',
    currency: row.currency,
    ...(row.identity_secret !== null && seesIdentitySecret(principal) && { identity_secret: row.identity_secret }),
    _link: link('website', row.id),
  };
}

export function presentApiKey(row: ApiKeyRow, plaintext?: string) {
  return {
    id: row.id,
    ...(plaintext !== undefined && { key: plaintext }),
    scope: row.scope,
    name: row.name,
    partner_id: row.partner_id,
    client_id: row.client_id,
    created_at: formatDateTime(row.created_at),
    last_used_at: row.last_used_at === null ? null : formatDateTime(row.last_used_at),
    revoked_at: row.revoked_at === null ? null : formatDateTime(row.revoked_at),
    _link: link('key', row.id),
  };
}

/** The short form of a list item. */
export function presentRef(resource: string, id: number) {
  return { id, _link: link(resource, id) };
}
