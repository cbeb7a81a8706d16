// Request and response schemas of operators, groups and skills (seed 003 "Operator", "Group", "Skill").
import { Type } from 'typebox';
import type { FilterSpecs } from '../../http/filters.js';
import { IdSchema } from '../../http/ids.js';
import { NON_BLANK, PROBLEM_KEYWORD } from '../../http/validation.js';

const Link = Type.String({ description: 'Path of this resource, relative to the API base.' });
const DateTime = (description: string) =>
  Type.String({ description: `${description}, \`YYYY-MM-DD HH:MM:SS\` (UTC).` });
const Id = IdSchema;
const IdList = (description: string) => Type.Array(Id(description), { maxItems: 1000, description });
const NullableId = (description: string) =>
  Type.Union([Type.Null(), Id(description)], {
    description,
    [PROBLEM_KEYWORD]: 'Expected a whole number identifier, or empty for none.',
  });

export const ROLES = ['expert', 'operator', 'manager', 'admin'] as const;
export type Role = (typeof ROLES)[number];
export const ADMIN_LANGUAGES = ['de', 'en', 'es', 'fr'] as const;

const Priority = (channel: string) =>
  Type.Unsafe<0 | 10>({
    type: 'integer',
    enum: [0, 10],
    description: `${channel} priority: \`10\` is served before \`0\`.`,
    [PROBLEM_KEYWORD]: 'Expected 0 or 10.',
  });
const Flag = (description: string) => Type.Boolean({ description });
const LanguageCode = Type.String({
  pattern: '^[A-Za-z]{2}$',
  [PROBLEM_KEYWORD]: "Expected 2-letter language codes, such as 'fr'.",
});

/** Said of the fields an agent's console session sees on its own record only (domain/people/visibility.ts). */
const MANAGED = ' Operator-role console sessions see it on their own record only (docs/SECURITY.md).';

export const OperatorData = Type.Object({
  id: Type.Integer({ description: 'Operator identifier.' }),
  name: Type.Optional(Type.String({ description: 'Name.' })),
  first_name: Type.Optional(Type.Union([Type.String(), Type.Null()], { description: 'First name.' })),
  pseudo: Type.Optional(Type.Union([Type.String(), Type.Null()], { description: 'Pseudonym shown to visitors.' })),
  email: Type.Optional(Type.String({ description: `Email, also the console login.${MANAGED}` })),
  external_id: Type.Optional(
    Type.Union([Type.String(), Type.Null()], { description: `Your id if provided.${MANAGED}` }),
  ),
  role: Type.Optional(
    Type.String({ description: `Deprecated, use \`roles\`: \`operator\`, \`manager\` or \`admin\`.${MANAGED}` }),
  ),
  roles: Type.Optional(
    Type.Array(Type.String(), { description: `Roles: \`expert\`, \`operator\`, \`manager\`, \`admin\`.${MANAGED}` }),
  ),
  chat_enabled: Type.Optional(Type.Boolean({ description: 'Ability to process chat.' })),
  call_enabled: Type.Optional(Type.Boolean({ description: 'Ability to process call.' })),
  video_enabled: Type.Optional(Type.Boolean({ description: 'Ability to process video.' })),
  chat_max_number: Type.Optional(
    Type.Integer({ description: `Max. amount of chats the operator can process at the same time.${MANAGED}` }),
  ),
  chat_and_call: Type.Optional(
    Type.Boolean({ description: `Ability to process chat and call simultaneously.${MANAGED}` }),
  ),
  chat_priority: Type.Optional(Type.Integer({ description: `Chat priority: \`0\` or \`10\`.${MANAGED}` })),
  call_priority: Type.Optional(Type.Integer({ description: `Call priority: \`0\` or \`10\`.${MANAGED}` })),
  video_priority: Type.Optional(Type.Integer({ description: `Video priority: \`0\` or \`10\`.${MANAGED}` })),
  language_list: Type.Optional(
    Type.Array(Type.String(), { description: 'Languages the operator can process (ISO 639-1).' }),
  ),
  language_admin: Type.Optional(
    Type.String({ description: `Admin language: \`de\`, \`en\`, \`es\` or \`fr\`.${MANAGED}` }),
  ),
  group_id: Type.Optional(Type.Union([Type.Integer(), Type.Null()], { description: 'Group identifier.' })),
  website_list: Type.Optional(Type.Array(Type.Integer(), { description: 'Website identifiers.' })),
  skill_list: Type.Optional(Type.Array(Type.Integer(), { description: 'Skill identifiers.' })),
  connected: Type.Optional(Type.Boolean({ description: 'Whether the operator is online.' })),
  client_id: Type.Optional(Type.Integer({ description: 'Client identifier.' })),
  created_at: Type.Optional(DateTime('Creation date')),
  _link: Link,
});

const SsoKey = Type.String({
  description:
    'Single Sign-On key: `/admin/login?key={sso_key}` (or `POST /auth/sso`) logs the operator in. A secret, shown in this answer only: Causerie keeps its SHA-256 and no read returns it. Lost? Issue a new one with `POST /operator/{id}/sso_key`.',
});

/** The answer of `POST /operator`: the operator, and its SSO key this once. */
export const OperatorCreatedData = Type.Object({ ...OperatorData.properties, sso_key: SsoKey });

/** The answer of `POST /operator/{id}/sso_key`. */
export const SsoKeyData = Type.Object({
  operator_id: Type.Integer({ description: 'Operator identifier.' }),
  sso_key: SsoKey,
  login_url: Type.String({
    description:
      "The console's sign-on link with this key (`{PUBLIC_URL}/admin/login?key=…`); add `&backto=…` at will.",
  }),
});

const operatorWritable = {
  name: Type.String({ minLength: 1, maxLength: 255, pattern: NON_BLANK, description: 'Name.' }),
  email: Type.String({ minLength: 3, maxLength: 254, description: 'Email, used as the console login; unique.' }),
  password: Type.String({
    minLength: 8,
    maxLength: 256,
    description: 'Console password (at least 8 characters); stored as an argon2id hash and never returned.',
  }),
  first_name: Type.Union([Type.Null(), Type.String({ maxLength: 255 })], { description: 'First name.' }),
  pseudo: Type.Union([Type.Null(), Type.String({ maxLength: 255 })], { description: 'Pseudonym.' }),
  external_id: Type.Union([Type.Null(), Type.String({ maxLength: 255 })], {
    description: 'Your identifier for this operator.',
  }),
  role: Type.Union([Type.Literal('operator'), Type.Literal('manager'), Type.Literal('admin')], {
    description: 'Deprecated, use `roles`.',
  }),
  roles: Type.Array(Type.Union(ROLES.map((role) => Type.Literal(role))), {
    minItems: 1,
    maxItems: 4,
    description: 'Roles: `expert`, `operator`, `manager`, `admin`.',
  }),
  chat_enabled: Flag('Ability to process chat (default true).'),
  call_enabled: Flag('Ability to process call (default false).'),
  video_enabled: Flag('Ability to process video (default false).'),
  chat_max_number: Type.Integer({ minimum: 1, maximum: 50, description: 'Max. simultaneous chats (default 2).' }),
  chat_and_call: Flag('Ability to process chat and call simultaneously (default false).'),
  chat_priority: Priority('Chat'),
  call_priority: Priority('Call'),
  video_priority: Priority('Video'),
  language_list: Type.Array(LanguageCode, {
    maxItems: 50,
    description: "Languages the operator can process (default: the client's language).",
  }),
  language_admin: Type.Union(
    ADMIN_LANGUAGES.map((lang) => Type.Literal(lang)),
    { description: 'Console language: `de`, `en`, `es` or `fr` (default `en`).' },
  ),
  group_id: NullableId('Group identifier.'),
  website_list: IdList('Website identifiers the operator answers on.'),
  skill_list: IdList('Skill identifiers.'),
};

export const OperatorCreateBody = Type.Object(
  {
    name: operatorWritable.name,
    email: operatorWritable.email,
    password: Type.Optional(operatorWritable.password),
    first_name: Type.Optional(operatorWritable.first_name),
    pseudo: Type.Optional(operatorWritable.pseudo),
    external_id: Type.Optional(operatorWritable.external_id),
    role: Type.Optional(operatorWritable.role),
    roles: Type.Optional(operatorWritable.roles),
    chat_enabled: Type.Optional(operatorWritable.chat_enabled),
    call_enabled: Type.Optional(operatorWritable.call_enabled),
    video_enabled: Type.Optional(operatorWritable.video_enabled),
    chat_max_number: Type.Optional(operatorWritable.chat_max_number),
    chat_and_call: Type.Optional(operatorWritable.chat_and_call),
    chat_priority: Type.Optional(operatorWritable.chat_priority),
    call_priority: Type.Optional(operatorWritable.call_priority),
    video_priority: Type.Optional(operatorWritable.video_priority),
    language_list: Type.Optional(operatorWritable.language_list),
    language_admin: Type.Optional(operatorWritable.language_admin),
    group_id: Type.Optional(operatorWritable.group_id),
    website_list: Type.Optional(operatorWritable.website_list),
    skill_list: Type.Optional(operatorWritable.skill_list),
    client_id: Type.Optional(Id('Partner and platform keys: the client the operator belongs to.')),
  },
  { additionalProperties: false },
);

export const OperatorUpdateBody = Type.Partial(Type.Omit(OperatorCreateBody, ['client_id']), {
  additionalProperties: false,
});

export const OPERATOR_FILTERS: FilterSpecs = {
  group_id: { kind: 'id', description: 'Group identifier.' },
  website_id: { kind: 'id', description: 'Website identifier.' },
  skill_id: { kind: 'id', description: 'Skill identifier.' },
  name: { kind: 'text', description: 'Operator name; `*` is a wildcard (`*uli*`).' },
  external_id: { kind: 'text', description: 'External identifier.' },
  connected: { kind: 'flag', description: 'Online status: `0` (offline) or `1` (online).' },
};

export const GroupData = Type.Object({
  id: Type.Integer({ description: 'Group identifier.' }),
  name: Type.Optional(Type.String({ description: 'Group name.' })),
  created_at: Type.Optional(DateTime('Date of creation')),
  parent_id: Type.Optional(Type.Union([Type.Integer(), Type.Null()], { description: 'Parent identifier.' })),
  operator_list: Type.Optional(Type.Array(Type.Integer(), { description: 'Operator identifiers.' })),
  client_id: Type.Optional(Type.Integer({ description: 'Client identifier.' })),
  _link: Link,
});

export const GroupCreateBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 255, pattern: NON_BLANK, description: 'Group name.' }),
    parent_id: Type.Optional(NullableId('Parent group identifier.')),
    operator_list: Type.Optional(IdList('Operators in the group (an operator belongs to one group).')),
    client_id: Type.Optional(Id('Partner and platform keys: the client the group belongs to.')),
  },
  { additionalProperties: false },
);
export const GroupUpdateBody = Type.Partial(Type.Omit(GroupCreateBody, ['client_id']), { additionalProperties: false });
export const GROUP_FILTERS: FilterSpecs = {
  parent_id: { kind: 'id', description: 'Parent group identifier.' },
  name: { kind: 'text', description: 'Group name; `*` is a wildcard.' },
};

export const SkillData = Type.Object({
  id: Type.Integer({ description: 'Skill identifier.' }),
  name: Type.Optional(Type.String({ description: 'Name.' })),
  order: Type.Optional(Type.Integer({ description: 'Order.' })),
  created_at: Type.Optional(DateTime('Date of creation')),
  parent_id: Type.Optional(Type.Union([Type.Integer(), Type.Null()], { description: 'Parent skill identifier.' })),
  operator_list: Type.Optional(
    Type.Array(Type.Integer(), { description: 'Deprecated: use the operator resource with the skill_id filter.' }),
  ),
  client_id: Type.Optional(Type.Integer({ description: 'Client identifier.' })),
  _link: Link,
});

export const SkillCreateBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 255, pattern: NON_BLANK, description: 'Name.' }),
    order: Type.Optional(Type.Integer({ minimum: -1000000, maximum: 1000000, description: 'Order (default 0).' })),
    parent_id: Type.Optional(NullableId('Parent skill identifier.')),
    operator_list: Type.Optional(IdList('Operators having this skill.')),
    client_id: Type.Optional(Id('Partner and platform keys: the client the skill belongs to.')),
  },
  { additionalProperties: false },
);
export const SkillUpdateBody = Type.Partial(Type.Omit(SkillCreateBody, ['client_id']), { additionalProperties: false });
export const SKILL_FILTERS: FilterSpecs = {
  operator_id: { kind: 'id', description: 'Operator identifier.' },
  parent_id: { kind: 'id', description: 'Parent skill identifier.' },
  name: { kind: 'text', description: 'Skill name; `*` is a wildcard.' },
};
