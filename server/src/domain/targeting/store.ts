// Queries for targeting rules, limited to the clients the principal may see; deleted rules are gone for the API.
import type { Kysely } from 'kysely';
import { type IdPage, inIdOrder, pageOfIds } from '../../db/paging.js';
import type { Database, TargetingRuleRow } from '../../db/schema.js';
import { fieldInvalid } from '../../errors.js';
import type { ListQuery } from '../../list-query.js';
import { clientScope, type Principal } from '../tenancy/policy.js';
import { RULE_CHANNELS, RULE_STATUSES } from './schema.js';

export type TargetingRuleFilter = 'website_id' | 'channel' | 'status';

export function listTargetingRuleIds(
  db: Kysely<Database>,
  principal: Principal,
  query: ListQuery<TargetingRuleFilter>,
): Promise<IdPage> {
  let matches = db
    .selectFrom('targeting_rule')
    .select('id')
    .where(clientScope(principal, 'targeting_rule.client_id'))
    .where('deleted_at', 'is', null);
  const { website_id, channel, status } = query.filters;
  if (typeof website_id === 'number') matches = matches.where('website_id', '=', website_id);
  if (channel !== undefined) {
    if (!(RULE_CHANNELS as readonly unknown[]).includes(channel))
      throw fieldInvalid('filters[channel]', `Expected ${RULE_CHANNELS.join(', ')}.`);
    matches = matches.where('channel', '=', channel as (typeof RULE_CHANNELS)[number]);
  }
  if (status !== undefined) {
    if (!(RULE_STATUSES as readonly unknown[]).includes(status))
      throw fieldInvalid('filters[status]', `Expected ${RULE_STATUSES.join(', ')}.`);
    matches = matches.where('status', '=', status as (typeof RULE_STATUSES)[number]);
  }
  return pageOfIds(db, matches, query.page, query.limit);
}

/** Loads live (not deleted) rules the key may see, in the order of `ids`. */
export async function loadTargetingRules(
  db: Kysely<Database>,
  principal: Principal,
  ids: number[],
): Promise<TargetingRuleRow[]> {
  if (ids.length === 0) return [];
  const rows = await db
    .selectFrom('targeting_rule')
    .selectAll()
    .where('id', 'in', ids)
    .where('deleted_at', 'is', null)
    .where(clientScope(principal, 'targeting_rule.client_id'))
    .execute();
  return inIdOrder(ids, rows);
}

/** A website's active rules in evaluation order (priority, then id): what its widget receives. */
export function activeRulesOfWebsite(db: Kysely<Database>, websiteId: number): Promise<TargetingRuleRow[]> {
  return db
    .selectFrom('targeting_rule')
    .selectAll()
    .where('website_id', '=', websiteId)
    .where('status', '=', 'active')
    .where('deleted_at', 'is', null)
    .orderBy('priority')
    .orderBy('id')
    .execute();
}

/**
 * What a visitor's start says of its rule, believed only as far as the database agrees: a rule of this website (even one
 * disabled or deleted since the page read it), and `proactive` only for a rule whose action is an invitation. Anything
 * else starts a plain visitor conversation rather than refusing the visitor's chat.
 */
export async function startingRule(
  db: Kysely<Database>,
  websiteId: number,
  ruleId: number | undefined,
  contactType: string | undefined,
): Promise<{ ruleId: number | null; contactType: 'visitor' | 'proactive' }> {
  if (ruleId === undefined) return { ruleId: null, contactType: 'visitor' };
  const rule = await db
    .selectFrom('targeting_rule')
    .select(['id', 'action'])
    .where('id', '=', ruleId)
    .where('website_id', '=', websiteId)
    .executeTakeFirst();
  if (rule === undefined) return { ruleId: null, contactType: 'visitor' };
  return {
    ruleId: rule.id,
    contactType: contactType === 'proactive' && rule.action === 'invitation' ? 'proactive' : 'visitor',
  };
}
