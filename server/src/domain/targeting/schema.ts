// Request and response schemas of targeting rules (`/api/2/targeting_rule`, docs/TARGETING.md).
import { Type } from 'typebox';
import type { FilterSpecs } from '../../http/filters.js';
import { IdSchema } from '../../http/ids.js';
import { NON_BLANK, PROBLEM_KEYWORD } from '../../http/validation.js';
import { CONDITION_TYPES, MAX_CONDITION_TEXT, MAX_CONDITIONS } from './conditions.js';

const Link = Type.String({ description: 'Path of this resource, relative to the API base.' });
const DateTime = (description: string) =>
  Type.String({ description: `${description}, \`YYYY-MM-DD HH:MM:SS\` (UTC).` });
const NullableId = (description: string) =>
  Type.Union([Type.Null(), IdSchema(description)], {
    description,
    [PROBLEM_KEYWORD]: 'Expected a whole number identifier, or empty for none.',
  });
const Choice = <T extends string>(values: readonly T[], description: string) =>
  Type.Unsafe<T>({
    type: 'string',
    enum: [...values],
    description,
    [PROBLEM_KEYWORD]: `Expected ${values.map((value) => `'${value}'`).join(', ')}.`,
  });

export const RULE_CHANNELS = ['chat', 'call', 'video'] as const;
export const RULE_STATUSES = ['active', 'inactive'] as const;
export const RULE_ACTIONS = ['button', 'invitation'] as const;
export const MAX_INVITATION_DELAY = 3600;
export const MAX_PRIORITY = 1000;

const ConditionData = Type.Object({
  type: Type.String({ description: `One of ${CONDITION_TYPES.map((type) => `\`${type}\``).join(', ')}.` }),
  operator: Type.String({
    description:
      'Texts (`page_url`, `referrer`): `equals`, `not_equals`, `contains`, `matches` (a regular expression, case-insensitive); `page_type`, `country`, `language`, `device`: `equals`, `not_equals`; numbers (`time_on_page` in seconds, `pages_viewed`, `cart_amount`): `gt`, `gte`, `lt`, `lte`, `eq`; `returning_visitor`: `equals`.',
  }),
  value: Type.Union([Type.String(), Type.Number(), Type.Boolean()], {
    description: 'Text, number or boolean, as the type says.',
  }),
});

const ConditionsData = Type.Object({
  match: Type.String({ description: '`all`: every condition must hold; `any`: one is enough.' }),
  list: Type.Array(ConditionData, { description: 'The conditions; none: every page of the website.' }),
});

const ConditionsBody = Type.Object(
  {
    match: Type.Optional(Choice(['all', 'any'] as const, '`all` (default) or `any`.')),
    list: Type.Optional(
      Type.Array(
        Type.Object(
          {
            type: Type.String({ maxLength: 40 }),
            operator: Type.String({ maxLength: 20 }),
            value: Type.Union([Type.String({ maxLength: MAX_CONDITION_TEXT }), Type.Number(), Type.Boolean()]),
          },
          { additionalProperties: false },
        ),
        { maxItems: MAX_CONDITIONS, description: `At most ${MAX_CONDITIONS} conditions.` },
      ),
    ),
  },
  { additionalProperties: false, description: 'When the rule applies (default: always).' },
);

export const TargetingRuleData = Type.Object({
  id: Type.Integer({ description: 'Targeting rule identifier.' }),
  name: Type.Optional(Type.String({ description: 'Name.' })),
  website_id: Type.Optional(Type.Integer({ description: 'Website identifier.' })),
  channel: Type.Optional(Type.String({ description: '`chat`, `call` or `video`.' })),
  status: Type.Optional(Type.String({ description: '`active` or `inactive`.' })),
  priority: Type.Optional(Type.Integer({ description: 'Evaluation order: 1 first; ties by id.' })),
  conditions: Type.Optional(ConditionsData),
  action: Type.Optional(Type.String({ description: '`button` (show the chat button) or `invitation`.' })),
  invitation_message: Type.Optional(
    Type.Union([Type.String(), Type.Null()], { description: 'The invitation shown to the visitor.' }),
  ),
  invitation_delay_seconds: Type.Optional(
    Type.Union([Type.Integer(), Type.Null()], { description: 'Seconds on the page before the invitation shows.' }),
  ),
  group_id: Type.Optional(Type.Union([Type.Integer(), Type.Null()], { description: 'Group the contacts go to.' })),
  skill_id: Type.Optional(Type.Union([Type.Integer(), Type.Null()], { description: 'Skill the contacts need.' })),
  only_when_available: Type.Optional(
    Type.Boolean({ description: 'Show only while an operator of the routing target is available.' }),
  ),
  client_id: Type.Optional(Type.Integer({ description: 'Client identifier.' })),
  created_at: Type.Optional(DateTime('Date of creation')),
  updated_at: Type.Optional(DateTime('Date of the last change')),
  _link: Link,
});

const writable = {
  name: Type.String({ minLength: 1, maxLength: 255, pattern: NON_BLANK, description: 'Name.' }),
  channel: Choice(RULE_CHANNELS, '`chat` (default), `call` or `video`.'),
  status: Choice(RULE_STATUSES, '`active` (default) or `inactive`.'),
  priority: Type.Integer({
    minimum: 1,
    maximum: MAX_PRIORITY,
    description: `Evaluation order, 1 (default) to ${MAX_PRIORITY}: the first matching rule decides.`,
    [PROBLEM_KEYWORD]: `Expected a whole number from 1 to ${MAX_PRIORITY}.`,
  }),
  conditions: ConditionsBody,
  action: Choice(RULE_ACTIONS, '`button` (default): show the chat button; `invitation`: a proactive message.'),
  invitation_message: Type.Union([Type.Null(), Type.String({ maxLength: 500, pattern: NON_BLANK })], {
    description: 'The invitation text (required with `action` `invitation`).',
  }),
  invitation_delay_seconds: Type.Union(
    [
      Type.Null(),
      Type.Integer({
        minimum: 0,
        maximum: MAX_INVITATION_DELAY,
        [PROBLEM_KEYWORD]: `Expected a whole number of seconds from 0 to ${MAX_INVITATION_DELAY}.`,
      }),
    ],
    { description: 'Seconds after the conditions hold before the invitation shows (default 0).' },
  ),
  group_id: NullableId('Routing target: the group the contacts go to (one of group_id, skill_id).'),
  skill_id: NullableId('Routing target: the skill the contacts need (one of group_id, skill_id).'),
  only_when_available: Type.Boolean({
    description: 'Show only while an operator of the routing target (or the website) is available (default false).',
  }),
};

export const TargetingRuleCreateBody = Type.Object(
  {
    name: writable.name,
    website_id: IdSchema('The website whose pages the rule targets.'),
    channel: Type.Optional(writable.channel),
    status: Type.Optional(writable.status),
    priority: Type.Optional(writable.priority),
    conditions: Type.Optional(writable.conditions),
    action: Type.Optional(writable.action),
    invitation_message: Type.Optional(writable.invitation_message),
    invitation_delay_seconds: Type.Optional(writable.invitation_delay_seconds),
    group_id: Type.Optional(writable.group_id),
    skill_id: Type.Optional(writable.skill_id),
    only_when_available: Type.Optional(writable.only_when_available),
  },
  { additionalProperties: false },
);
export const TargetingRuleUpdateBody = Type.Partial(Type.Omit(TargetingRuleCreateBody, ['website_id']), {
  additionalProperties: false,
});

export const TARGETING_RULE_FILTERS: FilterSpecs = {
  website_id: { kind: 'id', description: 'Website identifier.' },
  channel: { kind: 'text', description: '`chat`, `call` or `video`.' },
  status: { kind: 'text', description: '`active` or `inactive`.' },
};
