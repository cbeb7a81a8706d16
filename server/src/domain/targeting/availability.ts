// Whether a rule's routing target can take a contact now, as the widget needs it for "only when an operator is
// available": `available`, `busy` (operators ready but every slot taken) or `offline` — never who they are.
import type { Kysely } from 'kysely';
import type { Database, TargetingRuleRow } from '../../db/schema.js';
import { channelCapacity } from '../routing/algorithm.js';
import { loadsOf } from '../routing/store.js';

export type Availability = 'available' | 'busy' | 'offline';

const READY_COLUMNS = {
  chat: ['operator.chat_enabled', 'operator.chat_available'],
  call: ['operator.call_enabled', 'operator.call_available'],
  video: ['operator.video_enabled', 'operator.video_available'],
} as const;

/** The availability of each rule's target (its group or skill, else the whole website), by rule id. */
export async function availabilityOfRules(
  db: Kysely<Database>,
  websiteId: number,
  rules: readonly TargetingRuleRow[],
): Promise<Map<number, Availability>> {
  const answers = new Map<number, Availability>();
  // Rules sharing a channel and target share one answer.
  const byTarget = new Map<string, Availability>();
  for (const rule of rules) {
    const key = `${rule.channel}:${rule.group_id ?? ''}:${rule.skill_id ?? ''}`;
    let availability = byTarget.get(key);
    if (availability === undefined) {
      availability = await targetAvailability(db, websiteId, rule);
      byTarget.set(key, availability);
    }
    answers.set(rule.id, availability);
  }
  return answers;
}

/** Whether the website's chat can take a conversation now (any operator linked to it): what the widget says before the
 * visitor types. */
export function chatAvailability(db: Kysely<Database>, websiteId: number): Promise<Availability> {
  return targetAvailability(db, websiteId, { channel: 'chat', group_id: null, skill_id: null });
}

/** Rule 1 of routing (connected, linked to the website, ready on the channel, in the group or with the skill), then slots. */
async function targetAvailability(
  db: Kysely<Database>,
  websiteId: number,
  rule: Pick<TargetingRuleRow, 'channel' | 'group_id' | 'skill_id'>,
): Promise<Availability> {
  const [enabled, available] = READY_COLUMNS[rule.channel];
  let query = db
    .selectFrom('operator')
    .innerJoin('operator_website', 'operator_website.operator_id', 'operator.id')
    .select(['operator.id', 'operator.chat_max_number'])
    .where('operator_website.website_id', '=', websiteId)
    .where('operator.deleted_at', 'is', null)
    .where('operator.connected', '=', 1)
    .where(enabled, '=', 1)
    .where(available, '=', 1);
  if (rule.group_id !== null) query = query.where('operator.group_id', '=', rule.group_id);
  if (rule.skill_id !== null) {
    const skillId = rule.skill_id;
    query = query.where((eb) =>
      eb.exists(
        eb
          .selectFrom('operator_skill')
          .select('operator_skill.operator_id')
          .whereRef('operator_skill.operator_id', '=', 'operator.id')
          .where('operator_skill.skill_id', '=', skillId),
      ),
    );
  }
  const ready = await query.execute();
  if (ready.length === 0) return 'offline';
  const loads = await loadsOf(
    db,
    ready.map((operator) => operator.id),
  );
  const free = ready.some(
    (operator) =>
      (loads.get(`${operator.id}:${rule.channel}`) ?? 0) < channelCapacity(rule.channel, operator.chat_max_number),
  );
  return free ? 'available' : 'busy';
}
