// Queries for operators, groups and skills, limited to the clients the principal may see.
import type { Kysely } from 'kysely';
import { wildcardMatch } from '../../db/dialect.js';
import { type IdPage, inIdOrder, pageOfIds } from '../../db/paging.js';
import type { Database, GroupRow, OperatorRow, SkillRow } from '../../db/schema.js';
import type { ListQuery } from '../../list-query.js';
import { clientScope, type Principal } from '../tenancy/policy.js';

export type OperatorFilter = 'group_id' | 'website_id' | 'skill_id' | 'name' | 'external_id' | 'connected';
export type GroupFilter = 'parent_id' | 'name';
export type SkillFilter = 'operator_id' | 'parent_id' | 'name';

/** An operator row with its link lists, as presented. */
export interface OperatorRecord extends OperatorRow {
  website_list: number[];
  skill_list: number[];
}

export interface GroupRecord extends GroupRow {
  operator_list: number[];
}

export interface SkillRecord extends SkillRow {
  operator_list: number[];
}

export function listOperatorIds(
  db: Kysely<Database>,
  principal: Principal,
  query: ListQuery<OperatorFilter>,
): Promise<IdPage> {
  let matches = db
    .selectFrom('operator')
    .select('id')
    .where(clientScope(principal, 'operator.client_id'))
    .where('deleted_at', 'is', null);
  const { group_id, website_id, skill_id, name, external_id, connected } = query.filters;
  if (typeof group_id === 'number') matches = matches.where('group_id', '=', group_id);
  if (typeof website_id === 'number') {
    matches = matches.where(
      'id',
      'in',
      db.selectFrom('operator_website').select('operator_id').where('website_id', '=', website_id),
    );
  }
  if (typeof skill_id === 'number') {
    matches = matches.where(
      'id',
      'in',
      db.selectFrom('operator_skill').select('operator_id').where('skill_id', '=', skill_id),
    );
  }
  if (typeof name === 'string') matches = matches.where(wildcardMatch('operator.name', name));
  if (typeof external_id === 'string') matches = matches.where(wildcardMatch('operator.external_id', external_id));
  if (typeof connected === 'boolean') matches = matches.where('connected', '=', connected ? 1 : 0);
  return pageOfIds(db, matches, query.page, query.limit);
}

/** Loads live (not deleted) operators with their website and skill lists. */
export async function loadOperators(
  db: Kysely<Database>,
  principal: Principal,
  ids: number[],
): Promise<OperatorRecord[]> {
  if (ids.length === 0) return [];
  const rows = await db
    .selectFrom('operator')
    .selectAll()
    .where('id', 'in', ids)
    .where('deleted_at', 'is', null)
    .where(clientScope(principal, 'operator.client_id'))
    .execute();
  if (rows.length === 0) return [];
  const found = rows.map((row) => row.id);
  const websites = await db
    .selectFrom('operator_website')
    .select(['operator_id', 'website_id'])
    .where('operator_id', 'in', found)
    .orderBy('website_id')
    .execute();
  const skills = await db
    .selectFrom('operator_skill')
    .select(['operator_id', 'skill_id'])
    .where('operator_id', 'in', found)
    .orderBy('skill_id')
    .execute();
  const records = rows.map((row) => ({
    ...row,
    website_list: websites.filter((link) => link.operator_id === row.id).map((link) => link.website_id),
    skill_list: skills.filter((link) => link.operator_id === row.id).map((link) => link.skill_id),
  }));
  return inIdOrder(ids, records);
}

export function listGroupIds(
  db: Kysely<Database>,
  principal: Principal,
  query: ListQuery<GroupFilter>,
): Promise<IdPage> {
  let matches = db.selectFrom('operator_group').select('id').where(clientScope(principal, 'operator_group.client_id'));
  const { parent_id, name } = query.filters;
  if (typeof parent_id === 'number') matches = matches.where('parent_id', '=', parent_id);
  if (typeof name === 'string') matches = matches.where(wildcardMatch('operator_group.name', name));
  return pageOfIds(db, matches, query.page, query.limit);
}

export async function loadGroups(db: Kysely<Database>, principal: Principal, ids: number[]): Promise<GroupRecord[]> {
  if (ids.length === 0) return [];
  const rows = await db
    .selectFrom('operator_group')
    .selectAll()
    .where('id', 'in', ids)
    .where(clientScope(principal, 'operator_group.client_id'))
    .execute();
  if (rows.length === 0) return [];
  const members = await db
    .selectFrom('operator')
    .select(['id', 'group_id'])
    .where(
      'group_id',
      'in',
      rows.map((row) => row.id),
    )
    .where('deleted_at', 'is', null)
    .orderBy('id')
    .execute();
  return inIdOrder(
    ids,
    rows.map((row) => ({
      ...row,
      operator_list: members.filter((member) => member.group_id === row.id).map((member) => member.id),
    })),
  );
}

export function listSkillIds(
  db: Kysely<Database>,
  principal: Principal,
  query: ListQuery<SkillFilter>,
): Promise<IdPage> {
  let matches = db.selectFrom('skill').select('id').where(clientScope(principal, 'skill.client_id'));
  const { operator_id, parent_id, name } = query.filters;
  if (typeof operator_id === 'number')
    matches = matches.where(
      'id',
      'in',
      db.selectFrom('operator_skill').select('skill_id').where('operator_id', '=', operator_id),
    );
  if (typeof parent_id === 'number') matches = matches.where('parent_id', '=', parent_id);
  if (typeof name === 'string') matches = matches.where(wildcardMatch('skill.name', name));
  return pageOfIds(db, matches, query.page, query.limit);
}

export async function loadSkills(db: Kysely<Database>, principal: Principal, ids: number[]): Promise<SkillRecord[]> {
  if (ids.length === 0) return [];
  const rows = await db
    .selectFrom('skill')
    .selectAll()
    .where('id', 'in', ids)
    .where(clientScope(principal, 'skill.client_id'))
    .execute();
  if (rows.length === 0) return [];
  const links = await db
    .selectFrom('operator_skill')
    .innerJoin('operator', 'operator.id', 'operator_skill.operator_id')
    .select(['operator_skill.skill_id', 'operator_skill.operator_id'])
    .where(
      'operator_skill.skill_id',
      'in',
      rows.map((row) => row.id),
    )
    .where('operator.deleted_at', 'is', null)
    .orderBy('operator_skill.operator_id')
    .execute();
  return inIdOrder(
    ids,
    rows.map((row) => ({
      ...row,
      operator_list: links.filter((link) => link.skill_id === row.id).map((link) => link.operator_id),
    })),
  );
}
