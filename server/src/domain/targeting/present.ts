// How a targeting rule reads in the API (`/api/2/targeting_rule`).
import type { TargetingRuleRow } from '../../db/schema.js';
import { formatDateTime } from '../../time.js';
import { link } from '../tenancy/present.js';
import { parseConditions } from './conditions.js';

export function presentTargetingRule(row: TargetingRuleRow) {
  return {
    id: row.id,
    name: row.name,
    website_id: row.website_id,
    channel: row.channel,
    status: row.status,
    priority: row.priority,
    conditions: parseConditions(row.conditions),
    action: row.action,
    invitation_message: row.invitation_message,
    invitation_delay_seconds: row.invitation_delay_seconds,
    group_id: row.group_id,
    skill_id: row.skill_id,
    only_when_available: row.only_when_available === 1,
    client_id: row.client_id,
    created_at: formatDateTime(row.created_at),
    updated_at: formatDateTime(row.updated_at),
    _link: link('targeting_rule', row.id),
  };
}
