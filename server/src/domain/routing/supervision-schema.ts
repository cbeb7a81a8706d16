// Request and response schemas of the supervisor view (GET /supervision, POST /conversation/{id}/transfer).
import { Type } from 'typebox';
import { IdSchema } from '../../http/ids.js';
import { PROBLEM_KEYWORD } from '../../http/validation.js';
import { OperatorLiveData } from '../people/live-schema.js';

const DateTime = (description: string) =>
  Type.String({ description: `${description}, \`YYYY-MM-DD HH:MM:SS\` (UTC).`, examples: ['2026-12-05 14:07:05'] });
const NullableDateTime = (description: string) =>
  Type.Union([Type.Null(), DateTime(description)], { description: `${description}; null when none.` });

export const SUPERVISED_STATUSES = ['waiting', 'open'] as const;
export type SupervisedStatus = (typeof SUPERVISED_STATUSES)[number];

export const SupervisionQuery = Type.Object(
  {
    website_id: Type.Optional(IdSchema('Only the conversations and operators of this website (yours).')),
    status: Type.Optional(
      Type.Union(
        SUPERVISED_STATUSES.map((status) => Type.Literal(status)),
        {
          description: '`waiting` (in the queue or not yet answered) or `open`; both when absent.',
          [PROBLEM_KEYWORD]: 'Expected waiting or open.',
          examples: ['waiting'],
        },
      ),
    ),
  },
  { additionalProperties: false },
);

export const SupervisedConversation = Type.Object({
  id: Type.Integer({ description: 'Conversation identifier.', examples: [41] }),
  website_id: Type.Integer({ description: 'Website identifier.', examples: [12] }),
  website: Type.String({ description: "The website's label (its URL when it has none).", examples: ['Shop'] }),
  channel: Type.String({ description: '`chat`, `call`, `video` or `social`.', examples: ['chat'] }),
  source: Type.String({ description: '`web`, `whatsapp`, `sms`, `rcs`, `odigo` or `api`.', examples: ['web'] }),
  status: Type.String({ description: '`waiting` or `open`.', examples: ['waiting'] }),
  visitor: Type.Object(
    {
      id: Type.Integer({ description: 'Visitor identifier.' }),
      name: Type.Union([Type.Null(), Type.String()], {
        description: 'First name and last name as the site told them; null when it told neither.',
        examples: ['Jeanne Martin'],
      }),
      email: Type.Union([Type.Null(), Type.String()], { description: "The visitor's email, if known." }),
    },
    { description: 'Who the conversation is with.' },
  ),
  operator_id: Type.Union([Type.Null(), Type.Integer()], {
    description: 'The operator who has it; null while it waits for one.',
  }),
  operator_name: Type.Union([Type.Null(), Type.String()], {
    description: "That operator's pseudo, else name.",
    examples: ['Ada'],
  }),
  created_at: DateTime('When the visitor asked'),
  waiting_since: NullableDateTime(
    'Since when it waits for an operator (queued, else created); null when an operator has it',
  ),
  assigned_at: NullableDateTime('When its operator was (last) given it'),
  queue_position: Type.Union([Type.Null(), Type.Integer({ minimum: 1 })], {
    description: "1-based place in its website's queue (1 is served next); null when not queued.",
    examples: [1],
  }),
  estimated_wait_seconds: Type.Union([Type.Null(), Type.Integer({ minimum: 0 })], {
    description: 'The estimate the visitor is told; null when not queued.',
  }),
  last_message: Type.Union(
    [
      Type.Null(),
      Type.Object({
        from: Type.Union([Type.Literal('visitor'), Type.Literal('operator')]),
        text: Type.String({ description: 'The first 140 characters.' }),
        at: DateTime('When it was written'),
      }),
    ],
    { description: 'The last message of the visitor or an operator (notes and system notices left out).' },
  ),
});

export const SupervisedOperator = Type.Object({
  ...OperatorLiveData.properties,
  name: Type.String({ description: "The operator's pseudo, else name.", examples: ['Ada'] }),
  roles: Type.Array(Type.String(), { description: '`operator`, `expert`, `manager`, `admin`.' }),
  website_list: Type.Array(Type.Integer(), { description: 'Websites the operator answers on.' }),
});

export const SupervisionData = Type.Object({
  server_time: DateTime('The instant of this answer (durations are counted from it)'),
  conversations: Type.Array(SupervisedConversation, {
    description:
      'Waiting conversations first, in queue order (oldest first), then open ones, oldest first. At most 500.',
  }),
  operators: Type.Array(SupervisedOperator, { description: 'Operators not deleted, by name.' }),
});

export const TransferBody = Type.Object(
  {
    operator_id: Type.Optional(IdSchema('Give it to this operator (of the website, connected).')),
    group_id: Type.Optional(IdSchema("The best free member of this group, by the website's routing strategy.")),
    skill_id: Type.Optional(
      IdSchema('The best free operator with this skill, else back to the queue with the skill asked.'),
    ),
  },
  { additionalProperties: false, examples: [{ operator_id: 7 }] },
);

export const TransferData = Type.Object({
  conversation_id: Type.Integer({ description: 'Conversation identifier.' }),
  operator_id: Type.Union([Type.Null(), Type.Integer()], {
    description: 'The operator who has it now; null when it went back to the queue.',
  }),
  queue_position: Type.Union([Type.Null(), Type.Integer()], { description: 'Its place when back in the queue.' }),
});
