// State changes of targeting rules; each commits its row and its event in one transaction.
import type { Kysely, Transaction } from 'kysely';
import type { Database, TargetingRuleRow } from '../../db/schema.js';
import { fieldInvalid, fieldMissing } from '../../errors.js';
import { appendEvent } from '../../events/append.js';
import { transact } from '../../events/transact.js';
import { nowInstant } from '../../time.js';
import { assertOwned, type Principal, visibleWebsite } from '../tenancy/policy.js';
import { checkConditions, NO_CONDITIONS, parseConditions } from './conditions.js';

type Tx = Transaction<Database>;

export interface TargetingRuleInput {
  name?: string;
  channel?: 'chat' | 'call' | 'video';
  status?: 'active' | 'inactive';
  priority?: number;
  conditions?: { match?: 'all' | 'any'; list?: readonly unknown[] };
  action?: 'button' | 'invitation';
  invitation_message?: string | null;
  invitation_delay_seconds?: number | null;
  group_id?: number | null;
  skill_id?: number | null;
  only_when_available?: boolean;
}

/** The columns a rule will have once `input` applies to `before` (defaults for a new rule), checked as a whole. */
async function ruleColumns(trx: Tx, clientId: number, input: TargetingRuleInput, before?: TargetingRuleRow) {
  const action = input.action ?? before?.action ?? 'button';
  const message =
    input.invitation_message !== undefined
      ? input.invitation_message?.trim() || null
      : (before?.invitation_message ?? null);
  if (action === 'invitation' && message === null)
    throw input.invitation_message === undefined
      ? fieldMissing('invitation_message')
      : fieldInvalid('invitation_message', 'An invitation needs its message.');
  const groupId = input.group_id !== undefined ? input.group_id : (before?.group_id ?? null);
  const skillId = input.skill_id !== undefined ? input.skill_id : (before?.skill_id ?? null);
  if (groupId !== null && skillId !== null)
    throw fieldInvalid(
      input.skill_id != null ? 'skill_id' : 'group_id',
      'A rule routes to a group or to a skill, not both.',
    );
  if (input.group_id != null) await assertOwned(trx, 'operator_group', [input.group_id], clientId, 'group_id');
  if (input.skill_id != null) await assertOwned(trx, 'skill', [input.skill_id], clientId, 'skill_id');
  const conditions =
    input.conditions !== undefined
      ? checkConditions(input.conditions)
      : before !== undefined
        ? parseConditions(before.conditions)
        : NO_CONDITIONS;
  return {
    ...(input.name !== undefined && { name: input.name.trim() }),
    ...(input.channel !== undefined && { channel: input.channel }),
    ...(input.status !== undefined && { status: input.status }),
    ...(input.priority !== undefined && { priority: input.priority }),
    conditions: JSON.stringify(conditions),
    action,
    invitation_message: action === 'invitation' ? message : null,
    invitation_delay_seconds:
      action === 'invitation'
        ? ((input.invitation_delay_seconds !== undefined
            ? input.invitation_delay_seconds
            : before?.invitation_delay_seconds) ?? 0)
        : null,
    group_id: groupId,
    skill_id: skillId,
    ...(input.only_when_available !== undefined && { only_when_available: input.only_when_available ? 1 : 0 }),
  };
}

export async function createTargetingRule(
  db: Kysely<Database>,
  principal: Principal,
  input: TargetingRuleInput & { name: string; website_id: number },
): Promise<number> {
  const at = nowInstant();
  return transact(db, async (trx) => {
    // 400 naming website_id, as any other body reference the key cannot see.
    const website = await visibleWebsite(trx, principal, input.website_id);
    const clientId = website.client_id;
    const columns = await ruleColumns(trx, clientId, input);
    const { id } = await trx
      .insertInto('targeting_rule')
      .values({
        channel: 'chat',
        status: 'active',
        priority: 1,
        only_when_available: 0,
        ...columns,
        name: input.name.trim(),
        client_id: clientId,
        website_id: website.id,
        created_at: at,
        updated_at: at,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await appendEvent(trx, {
      type: 'targeting_rule.created',
      clientId,
      subject: { type: 'targeting_rule', id },
      payload: { ruleId: id, websiteId: website.id, name: input.name.trim() },
      at,
    });
    return id;
  });
}

export async function updateTargetingRule(
  db: Kysely<Database>,
  existing: TargetingRuleRow,
  input: TargetingRuleInput,
): Promise<void> {
  const at = nowInstant();
  await transact(db, async (trx) => {
    const columns = await ruleColumns(trx, existing.client_id, input, existing);
    await trx
      .updateTable('targeting_rule')
      .set({ ...columns, updated_at: at })
      .where('id', '=', existing.id)
      .where('deleted_at', 'is', null)
      .execute();
    await appendEvent(trx, {
      type: 'targeting_rule.updated',
      clientId: existing.client_id,
      subject: { type: 'targeting_rule', id: existing.id },
      payload: { ruleId: existing.id, websiteId: existing.website_id, changed: Object.keys(input) },
      at,
    });
  });
}

/**
 * Deletes a rule softly: widgets stop receiving it, the API answers 404, and its counters and the conversations it
 * started keep naming it (statistics by rule stay whole).
 */
export async function deleteTargetingRule(db: Kysely<Database>, existing: TargetingRuleRow): Promise<void> {
  const at = nowInstant();
  await transact(db, async (trx) => {
    await trx
      .updateTable('targeting_rule')
      .set({ deleted_at: at, updated_at: at })
      .where('id', '=', existing.id)
      .where('deleted_at', 'is', null)
      .execute();
    await appendEvent(trx, {
      type: 'targeting_rule.deleted',
      clientId: existing.client_id,
      subject: { type: 'targeting_rule', id: existing.id },
      payload: { ruleId: existing.id, websiteId: existing.website_id },
      at,
    });
  });
}
