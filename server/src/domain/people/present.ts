// Rows → API shapes for operators, groups and skills (seed 003 field names).
import { formatDateTime } from '../../time.js';
import type { Principal } from '../tenancy/policy.js';
import { link } from '../tenancy/present.js';
import type { Role } from './schema.js';
import type { GroupRecord, OperatorRecord, SkillRecord } from './store.js';
import { visibleOperatorFields } from './visibility.js';

/** The deprecated single `role`: the highest of admin, manager and operator the operator holds. */
export function legacyRole(roles: readonly string[]): 'admin' | 'manager' | 'operator' {
  if (roles.includes('admin')) return 'admin';
  if (roles.includes('manager')) return 'manager';
  return 'operator';
}

export function parseJsonList<T>(text: string): T[] {
  const value: unknown = JSON.parse(text);
  return Array.isArray(value) ? (value as T[]) : [];
}

/** An operator as this reader may see it (visibility.ts decides which fields). The SSO key is never part of it. */
export function presentOperator(principal: Principal, row: OperatorRecord) {
  return visibleOperatorFields(principal, operatorFields(row));
}

function operatorFields(row: OperatorRecord) {
  const roles = parseJsonList<Role>(row.roles);
  return {
    id: row.id,
    name: row.name,
    first_name: row.first_name,
    pseudo: row.pseudo,
    email: row.email,
    external_id: row.external_id,
    role: legacyRole(roles),
    roles,
    chat_enabled: row.chat_enabled === 1,
    call_enabled: row.call_enabled === 1,
    video_enabled: row.video_enabled === 1,
    chat_max_number: row.chat_max_number,
    chat_and_call: row.chat_and_call === 1,
    chat_priority: row.chat_priority,
    call_priority: row.call_priority,
    video_priority: row.video_priority,
    language_list: parseJsonList<string>(row.language_list),
    language_admin: row.language_admin,
    group_id: row.group_id,
    website_list: row.website_list,
    skill_list: row.skill_list,
    connected: row.connected === 1,
    client_id: row.client_id,
    created_at: formatDateTime(row.created_at),
    _link: link('operator', row.id),
  };
}

export function presentGroup(row: GroupRecord) {
  return {
    id: row.id,
    name: row.name,
    created_at: formatDateTime(row.created_at),
    parent_id: row.parent_id,
    operator_list: row.operator_list,
    client_id: row.client_id,
    _link: link('group', row.id),
  };
}

export function presentSkill(row: SkillRecord) {
  return {
    id: row.id,
    name: row.name,
    order: row.sort_order,
    created_at: formatDateTime(row.created_at),
    parent_id: row.parent_id,
    operator_list: row.operator_list,
    client_id: row.client_id,
    _link: link('skill', row.id),
  };
}
