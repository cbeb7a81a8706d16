// Queries for canned responses: limited to the clients the principal may see and, for an operator's console session,
// to the shared responses and that operator's personal ones (another's personal response is absent: 404).
import { type Expression, type Kysely, type SqlBool, sql } from 'kysely';
import { type IdPage, inIdOrder, pageOfIds } from '../../db/paging.js';
import type { CannedResponseRow, Database } from '../../db/schema.js';
import { fieldInvalid } from '../../errors.js';
import type { ListQuery } from '../../list-query.js';
import { clientScope, type Principal } from '../tenancy/policy.js';
import { CANNED_SCOPES } from './schema.js';

export type CannedResponseFilter = 'q' | 'scope' | 'website_id';

/**
 * Which rows the principal sees: API keys every response of their clients; a console session (any role) the shared
 * ones and its own personal ones: personal means personal, for admins too.
 */
function visibleTo(principal: Principal): Expression<SqlBool> {
  const tenant = clientScope(principal, 'canned_response.client_id');
  if (principal.scope !== 'client' || principal.session === undefined) return tenant;
  return sql<SqlBool>`(${tenant} and (canned_response.scope = 'shared' or canned_response.operator_id = ${principal.session.operatorId}))`;
}

/** `text` as a LIKE pattern matching it anywhere, its own `%`, `_` and `\` taken literally. */
const containing = (text: string) => `%${text.toLowerCase().replace(/[\\%_]/g, (match) => `\\${match}`)}%`;

export function listCannedResponseIds(
  db: Kysely<Database>,
  principal: Principal,
  query: ListQuery<CannedResponseFilter>,
): Promise<IdPage> {
  let matches = db.selectFrom('canned_response').select('id').where(visibleTo(principal));
  const { q, scope, website_id } = query.filters;
  if (typeof q === 'string' && q.trim() !== '') {
    const pattern = containing(q.trim());
    matches = matches.where(
      sql<SqlBool>`(lower(shortcut) like ${pattern} escape '\\' or lower(title) like ${pattern} escape '\\' or lower(body) like ${pattern} escape '\\')`,
    );
  }
  if (scope !== undefined) {
    if (!(CANNED_SCOPES as readonly unknown[]).includes(scope))
      throw fieldInvalid('filters[scope]', `Expected ${CANNED_SCOPES.join(', ')}.`);
    matches = matches.where('scope', '=', scope as (typeof CANNED_SCOPES)[number]);
  }
  if (typeof website_id === 'number')
    matches = matches.where((eb) => eb.or([eb('website_id', 'is', null), eb('website_id', '=', website_id)]));
  return pageOfIds(db, matches, query.page, query.limit);
}

/** Loads the responses the principal may see, in the order of `ids`. */
export async function loadCannedResponses(
  db: Kysely<Database>,
  principal: Principal,
  ids: number[],
): Promise<CannedResponseRow[]> {
  if (ids.length === 0) return [];
  const rows = await db
    .selectFrom('canned_response')
    .selectAll()
    .where('id', 'in', ids)
    .where(visibleTo(principal))
    .execute();
  return inIdOrder(ids, rows);
}
