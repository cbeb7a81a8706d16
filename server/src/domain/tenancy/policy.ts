// Who may do what, and which clients a key can see: tenant scoping is enforced here, in one place.
import { type Expression, type Kysely, type SqlBool, sql, type Transaction } from 'kysely';
import type { Database } from '../../db/schema.js';
import { fieldInvalid, fieldMissing, notPermitted, unknownResource } from '../../errors.js';

/** The authenticated caller, derived from its API key. */
export type Principal =
  | { scope: 'platform'; keyId: number | null }
  | { scope: 'partner'; partnerId: number; keyId: number }
  | { scope: 'client'; clientId: number; partnerId: number | null; keyId: number; session?: ConsoleSession }
  /** A developer logged in to the developer area (`Authorization: Bearer dvs_…`): their apps only, no client's data. */
  | { scope: 'developer'; developerId: number; keyId: 0 };

/** An operator logged in to the console (`Authorization: Bearer cos_…`): their client, narrowed by their roles. `keyId` is 0 then. */
export interface ConsoleSession {
  operatorId: number;
  roles: readonly string[];
}

export type Scope = Principal['scope'];
export type Resource =
  | 'partner'
  | 'client'
  | 'api_key'
  | 'website'
  | 'operator'
  | 'group'
  | 'skill'
  | 'visitor'
  | 'conversation'
  | 'tag'
  | 'transaction'
  | 'satisfaction'
  | 'callmeeting'
  | 'channel'
  | 'webhook'
  | 'targeting_rule'
  | 'statistic'
  | 'commerce'
  | 'installation'
  | 'canned_response';
export type Action = 'list' | 'read' | 'create' | 'update' | 'delete';

const ALL: readonly Scope[] = ['platform', 'partner', 'client'];
const MANAGERS: readonly Scope[] = ['platform', 'partner'];
const PLATFORM: readonly Scope[] = ['platform'];
const NOBODY: readonly Scope[] = [];

/**
 * Which key scopes may attempt each action. Rows are further limited to the key's own clients
 * by `clientScope`, so a permitted action on another tenant's row answers as if the row were absent.
 */
export const PERMISSIONS: Record<Resource, Record<Action, readonly Scope[]>> = {
  partner: { list: PLATFORM, read: PLATFORM, create: PLATFORM, update: PLATFORM, delete: NOBODY },
  client: { list: ALL, read: ALL, create: MANAGERS, update: MANAGERS, delete: NOBODY },
  // A client key may mint and revoke keys for its own client (rotation); partners for their clients.
  api_key: { list: ALL, read: ALL, create: ALL, update: NOBODY, delete: ALL },
  website: { list: ALL, read: ALL, create: ALL, update: ALL, delete: NOBODY },
  operator: { list: ALL, read: ALL, create: ALL, update: ALL, delete: ALL },
  group: { list: ALL, read: ALL, create: ALL, update: ALL, delete: ALL },
  skill: { list: ALL, read: ALL, create: ALL, update: ALL, delete: ALL },
  visitor: { list: ALL, read: ALL, create: ALL, update: ALL, delete: ALL },
  // Conversations are closed, not deleted: their history feeds statistics and the visitor's record.
  conversation: { list: ALL, read: ALL, create: ALL, update: ALL, delete: NOBODY },
  tag: { list: ALL, read: ALL, create: ALL, update: ALL, delete: NOBODY },
  // A reported sale or survey answer is a fact: it can be added, never edited or removed through the API.
  transaction: { list: ALL, read: ALL, create: ALL, update: NOBODY, delete: NOBODY },
  satisfaction: { list: ALL, read: ALL, create: ALL, update: NOBODY, delete: NOBODY },
  callmeeting: { list: ALL, read: ALL, create: ALL, update: ALL, delete: NOBODY },
  // Messaging channels (WhatsApp, SMS, RCS, web chat) of a client's websites; credentials are write-only.
  channel: { list: ALL, read: ALL, create: ALL, update: ALL, delete: ALL },
  // Outgoing webhook subscriptions (webhooks/): a client manages its own; agents' console sessions may not.
  webhook: { list: ALL, read: ALL, create: ALL, update: ALL, delete: ALL },
  // Targeting rules of a client's websites (domain/targeting/): set-up, so agents' console sessions may not.
  targeting_rule: { list: ALL, read: ALL, create: ALL, update: ALL, delete: ALL },
  // Figures computed from the rollups (domain/statistics/): read only; agents' console sessions may not.
  statistic: { list: ALL, read: ALL, create: NOBODY, update: NOBODY, delete: NOBODY },
  // A client's commerce set-up (orders enabled, Shopify stores; secrets write-only); agents' console sessions may not.
  commerce: { list: ALL, read: ALL, create: ALL, update: ALL, delete: ALL },
  // Apps a client installed from the marketplace (domain/apps/): set-up, so agents' console sessions may not.
  installation: { list: ALL, read: ALL, create: ALL, update: ALL, delete: ALL },
  // Canned responses (domain/canned/): agents manage their personal ones; shared ones are checked in its commands.
  canned_response: { list: ALL, read: ALL, create: ALL, update: ALL, delete: ALL },
};

const ACTION_WORDS: Record<Action, string> = {
  list: 'list',
  read: 'read',
  create: 'create',
  update: 'change',
  delete: 'delete',
};
const RESOURCE_PLURALS: Record<Resource, string> = {
  partner: 'partners',
  client: 'clients',
  api_key: 'API keys',
  website: 'websites',
  operator: 'operators',
  group: 'groups',
  skill: 'skills',
  visitor: 'visitors',
  conversation: 'conversations',
  tag: 'tags',
  transaction: 'transactions',
  satisfaction: 'satisfactions',
  callmeeting: 'call meetings',
  channel: 'channels',
  webhook: 'webhooks',
  targeting_rule: 'targeting rules',
  statistic: 'statistics',
  commerce: 'commerce settings',
  installation: 'app installations',
  canned_response: 'canned responses',
};

/**
 * What the console session of an operator or expert (neither manager nor admin) may do: the agent's daily work,
 * nothing of the set-up. Resources absent here (API keys, webhooks, clients…) are refused to them.
 */
const AGENT_ACTIONS: Partial<Record<Resource, readonly Action[]>> = {
  conversation: ['list', 'read', 'update'],
  // Contacts (issue 22): operators name and merge the people they talk to; erasing one stays a manager's or admin's.
  visitor: ['list', 'read', 'update'],
  operator: ['list', 'read'],
  group: ['list', 'read'],
  skill: ['list', 'read'],
  tag: ['list', 'read'],
  website: ['list', 'read'],
  satisfaction: ['list', 'read'],
  // Their own personal responses; shared ones stay the admins' (domain/canned/commands.ts).
  canned_response: ['list', 'read', 'create', 'update', 'delete'],
};

/**
 * Who is reading, for field visibility (domain/people/visibility.ts, docs/SECURITY.md): an API key by its scope, a
 * console session by its highest role (`agent`: operator or expert, neither manager nor admin).
 */
export type Viewer = 'platform' | 'partner' | 'client' | 'admin' | 'manager' | 'agent';
export const VIEWERS: readonly Viewer[] = ['platform', 'partner', 'client', 'admin', 'manager', 'agent'];

export function viewerOf(principal: Principal): Viewer {
  // A developer reads no client's data (every such resource refuses them); the narrowest view, should one slip by.
  if (principal.scope === 'developer') return 'agent';
  if (principal.scope !== 'client' || principal.session === undefined) return principal.scope;
  if (principal.session.roles.includes('admin')) return 'admin';
  if (principal.session.roles.includes('manager')) return 'manager';
  return 'agent';
}

/**
 * What a manager's session may not do although it manages the client: an API key acts for the whole client, admin role
 * included, so a manager who could mint one could make themselves admin.
 */
const ADMIN_ONLY: readonly Resource[] = ['api_key'];

/** True when a console session acts with the full rights of its client (manager or admin role). */
export function sessionManages(session: ConsoleSession): boolean {
  return session.roles.includes('admin') || session.roles.includes('manager');
}

/**
 * Throws 403 unless a key of this scope may attempt the action. `self` names the operator a change is about,
 * when a route lets operators change something of their own (their availability).
 */
export function authorize(
  principal: Principal,
  resource: Resource,
  action: Action,
  self?: { operatorId: number },
): void {
  if (!PERMISSIONS[resource][action].includes(principal.scope)) {
    throw notPermitted(`A ${principal.scope} API key cannot ${ACTION_WORDS[action]} ${RESOURCE_PLURALS[resource]}.`);
  }
  const session = principal.scope === 'client' ? principal.session : undefined;
  if (session === undefined) return;
  if (sessionManages(session)) {
    if (ADMIN_ONLY.includes(resource) && !session.roles.includes('admin'))
      throw notPermitted(
        `A manager's console session cannot ${ACTION_WORDS[action]} ${RESOURCE_PLURALS[resource]}: the admin role is needed.`,
      );
    return;
  }
  const own = resource === 'operator' && action === 'update' && self?.operatorId === session.operatorId;
  if (!own && !(AGENT_ACTIONS[resource] ?? []).includes(action)) {
    throw notPermitted(
      `An operator's console session cannot ${ACTION_WORDS[action]} ${RESOURCE_PLURALS[resource]}: a manager or admin role is needed.`,
    );
  }
}

/** Fields of its own client a client changes itself (its key, or a manager's or admin's console session). */
const CLIENT_OWN_SETTINGS: readonly string[] = ['timezone'];

/**
 * Throws 403 unless the key may change these fields of a client: partner and platform keys any field of the clients
 * they see; a client only its own settings (the time zone its statistics are read in), not its name or language.
 */
export function authorizeClientUpdate(principal: Principal, fields: readonly string[]): void {
  const ownSettings = fields.length > 0 && fields.every((field) => CLIENT_OWN_SETTINGS.includes(field));
  if (principal.scope !== 'client' || !ownSettings) authorize(principal, 'client', 'update');
  else if (principal.session !== undefined && !sessionManages(principal.session))
    throw notPermitted("An operator's console session cannot update clients: a manager or admin role is needed.");
}

/** A condition on `column` (a client id) limiting rows to the clients this key may see. */
export function clientScope(principal: Principal, column: string): Expression<SqlBool> {
  switch (principal.scope) {
    case 'platform':
      return sql<SqlBool>`1 = 1`;
    case 'partner':
      return sql<SqlBool>`${sql.ref(column)} in (select id from client where partner_id = ${principal.partnerId})`;
    case 'client':
      return sql<SqlBool>`${sql.ref(column)} = ${principal.clientId}`;
    case 'developer':
      return sql<SqlBool>`1 = 0`;
  }
}

/** True when the key may see this client's data. */
export async function canSeeClient(db: Kysely<Database>, principal: Principal, clientId: number): Promise<boolean> {
  const row = await db
    .selectFrom('client')
    .select('id')
    .where('id', '=', clientId)
    .where(clientScope(principal, 'client.id'))
    .executeTakeFirst();
  return row !== undefined;
}

/**
 * The client a new resource belongs to: a client key's own client, or the `client_id` a partner
 * or platform key names (which must be one it can see).
 */
export async function targetClient(
  db: Kysely<Database>,
  principal: Principal,
  requested: number | undefined,
): Promise<number> {
  if (principal.scope === 'client') {
    if (requested !== undefined && requested !== principal.clientId) throw unknownResource('client', requested);
    return principal.clientId;
  }
  if (requested === undefined) throw fieldMissing('client_id');
  if (!(await canSeeClient(db, principal, requested))) throw unknownResource('client', requested);
  return requested;
}

/** Client-owned tables a request body may refer to by id. */
export type OwnedTable = 'website' | 'skill' | 'operator_group' | 'operator' | 'tag';
const RESOURCE_OF: Record<OwnedTable, string> = {
  website: 'website',
  skill: 'skill',
  operator_group: 'group',
  operator: 'operator',
  tag: 'tag',
};

/** Rejects references to rows of another client (or to nothing, or to a deleted operator), naming the field and the first unknown id. */
export async function assertOwned(
  trx: Transaction<Database>,
  table: OwnedTable,
  ids: readonly number[],
  clientId: number,
  field: string,
): Promise<void> {
  if (ids.length === 0) return;
  let query = trx
    .selectFrom(table)
    .select('id')
    .where('client_id', '=', clientId)
    .where('id', 'in', [...new Set(ids)]);
  if (table === 'operator') query = query.where(trx.dynamic.ref('deleted_at'), 'is', null);
  const found = new Set((await query.execute()).map((row) => row.id));
  const missing = ids.find((id) => !found.has(id));
  if (missing !== undefined) throw fieldInvalid(field, `Unknown '${RESOURCE_OF[table]}' with 'id' ${missing}.`);
}

/** The website a body names, if the key can see it: with a partner or platform key it decides the client. */
export async function visibleWebsite(
  db: Kysely<Database>,
  principal: Principal,
  websiteId: number,
): Promise<{ id: number; client_id: number }> {
  const website = await db
    .selectFrom('website')
    .select(['id', 'client_id'])
    .where('id', '=', websiteId)
    .where(clientScope(principal, 'website.client_id'))
    .executeTakeFirst();
  if (!website) throw fieldInvalid('website_id', `Unknown 'website' with 'id' ${websiteId}.`);
  return website;
}
