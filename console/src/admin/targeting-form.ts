// The targeting rule form's logic (docs/TARGETING.md): the condition types and their operators, a rule read into the
// form's fields, and the fields turned into the body of POST or PUT /api/2/targeting_rule.

export const CONDITION_TYPES = [
  'page_url',
  'page_type',
  'time_on_page',
  'pages_viewed',
  'returning_visitor',
  'cart_amount',
  'country',
  'language',
  'device',
  'referrer',
] as const;
export type ConditionType = (typeof CONDITION_TYPES)[number];

const TEXT = ['equals', 'not_equals', 'contains', 'matches'];
const SAME = ['equals', 'not_equals'];
const NUMERIC = ['gte', 'gt', 'lte', 'lt', 'eq'];

/** The operators each type takes, as the server checks them (server/src/domain/targeting/conditions.ts). */
export const OPERATORS: Record<ConditionType, readonly string[]> = {
  page_url: TEXT,
  referrer: TEXT,
  page_type: SAME,
  country: SAME,
  language: SAME,
  device: SAME,
  time_on_page: NUMERIC,
  pages_viewed: NUMERIC,
  cart_amount: NUMERIC,
  returning_visitor: ['equals'],
};

const NUMBER_TYPES: readonly string[] = ['time_on_page', 'pages_viewed', 'cart_amount'];

export interface ConditionFields {
  type: ConditionType;
  operator: string;
  value: string;
}

export interface RuleFields {
  name: string;
  website_id: string;
  channel: 'chat' | 'call' | 'video';
  status: 'active' | 'inactive';
  priority: string;
  match: 'all' | 'any';
  conditions: ConditionFields[];
  action: 'button' | 'invitation';
  invitation_message: string;
  invitation_delay_seconds: string;
  /** `group:3`, `skill:5` or '' (the whole website). */
  target: string;
  only_when_available: boolean;
}

/** A rule as the API answers it (full=1). */
export interface RuleRecord {
  id: number;
  name: string;
  website_id: number;
  channel: 'chat' | 'call' | 'video';
  status: 'active' | 'inactive';
  priority: number;
  conditions: { match: string; list: { type: string; operator: string; value: string | number | boolean }[] };
  action: 'button' | 'invitation';
  invitation_message: string | null;
  invitation_delay_seconds: number | null;
  group_id: number | null;
  skill_id: number | null;
  only_when_available: boolean;
}

export function emptyRule(websiteId: number | undefined): RuleFields {
  return {
    name: '',
    website_id: websiteId === undefined ? '' : String(websiteId),
    channel: 'chat',
    status: 'active',
    priority: '1',
    match: 'all',
    conditions: [],
    action: 'button',
    invitation_message: '',
    invitation_delay_seconds: '0',
    target: '',
    only_when_available: false,
  };
}

export const newCondition = (): ConditionFields => ({ type: 'page_url', operator: 'contains', value: '' });

/** A condition whose type changed keeps its operator when the new type takes it, else the type's first. */
export function withType(condition: ConditionFields, type: ConditionType): ConditionFields {
  const operators = OPERATORS[type];
  const operator = operators.includes(condition.operator) ? condition.operator : (operators[0] ?? 'equals');
  return { type, operator, value: type === 'returning_visitor' ? 'true' : condition.value };
}

export function fieldsOf(rule: RuleRecord): RuleFields {
  return {
    name: rule.name,
    website_id: String(rule.website_id),
    channel: rule.channel,
    status: rule.status,
    priority: String(rule.priority),
    match: rule.conditions.match === 'any' ? 'any' : 'all',
    conditions: rule.conditions.list.map((condition) => ({
      type: (CONDITION_TYPES as readonly string[]).includes(condition.type)
        ? (condition.type as ConditionType)
        : 'page_url',
      operator: condition.operator,
      value: String(condition.value),
    })),
    action: rule.action,
    invitation_message: rule.invitation_message ?? '',
    invitation_delay_seconds: String(rule.invitation_delay_seconds ?? 0),
    target: rule.group_id !== null ? `group:${rule.group_id}` : rule.skill_id !== null ? `skill:${rule.skill_id}` : '',
    only_when_available: rule.only_when_available,
  };
}

/** Text as typed becomes a number where it reads as one; otherwise it goes as typed and the server names the field. */
const numberOrText = (text: string): number | string => (/^\s*\d+(\.\d+)?\s*$/.test(text) ? Number(text) : text);

/** The body of POST (with `website_id`) or PUT (without: a rule stays on its website). */
export function bodyOf(fields: RuleFields, forUpdate: boolean): Record<string, unknown> {
  const [kind, id] = fields.target.split(':');
  const invitation = fields.action === 'invitation';
  return {
    name: fields.name,
    ...(!forUpdate && { website_id: numberOrText(fields.website_id) }),
    channel: fields.channel,
    status: fields.status,
    priority: numberOrText(fields.priority),
    conditions: {
      match: fields.match,
      list: fields.conditions.map((condition) => ({
        type: condition.type,
        operator: condition.operator,
        value:
          condition.type === 'returning_visitor'
            ? condition.value === 'true'
            : NUMBER_TYPES.includes(condition.type)
              ? numberOrText(condition.value)
              : condition.value,
      })),
    },
    action: fields.action,
    invitation_message: invitation ? fields.invitation_message : null,
    invitation_delay_seconds: invitation ? numberOrText(fields.invitation_delay_seconds) : null,
    group_id: kind === 'group' ? Number(id) : null,
    skill_id: kind === 'skill' ? Number(id) : null,
    only_when_available: fields.only_when_available,
  };
}
