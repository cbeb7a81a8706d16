// Which operator fields each kind of reader sees: the one table, applied by every presenter of operators (REST v2 and
// v1) and written out in docs/SECURITY.md. A field absent from a reader's answer is left out, not blanked.
import { type Principal, type Viewer, viewerOf } from '../tenancy/policy.js';

/** `yes`: on every operator; `self`: only on the reader's own operator record; `no`: never in a read. */
export type Access = 'yes' | 'self' | 'no';

const EVERYONE: Record<Viewer, Access> = {
  platform: 'yes',
  partner: 'yes',
  client: 'yes',
  admin: 'yes',
  manager: 'yes',
  agent: 'yes',
};
/** The account and its set-up: for those who manage operators, and for an agent about themselves. */
const MANAGERS_AND_SELF: Record<Viewer, Access> = { ...EVERYONE, agent: 'self' };
/** Secrets: shown once to whoever makes them (create and rotate answers), never in a read, to anyone. */
const NOBODY: Record<Viewer, Access> = {
  platform: 'no',
  partner: 'no',
  client: 'no',
  admin: 'no',
  manager: 'no',
  agent: 'no',
};

/**
 * Operator field × reader. Agents (operator or expert sessions) see what their daily work needs of colleagues — who
 * they are, whether they are online, what they can take (transfers) — and their own account; the login email, roles,
 * priorities and limits of others are management data. Whoever may change an operator sees all of it, except the two
 * credentials, which no read carries.
 */
export const OPERATOR_FIELD_ACCESS = {
  id: EVERYONE,
  name: EVERYONE,
  first_name: EVERYONE,
  pseudo: EVERYONE,
  email: MANAGERS_AND_SELF,
  external_id: MANAGERS_AND_SELF,
  role: MANAGERS_AND_SELF,
  roles: MANAGERS_AND_SELF,
  chat_enabled: EVERYONE,
  call_enabled: EVERYONE,
  video_enabled: EVERYONE,
  chat_max_number: MANAGERS_AND_SELF,
  chat_and_call: MANAGERS_AND_SELF,
  chat_priority: MANAGERS_AND_SELF,
  call_priority: MANAGERS_AND_SELF,
  video_priority: MANAGERS_AND_SELF,
  language_list: EVERYONE,
  language_admin: MANAGERS_AND_SELF,
  group_id: EVERYONE,
  website_list: EVERYONE,
  skill_list: EVERYONE,
  connected: EVERYONE,
  client_id: EVERYONE,
  created_at: EVERYONE,
  _link: EVERYONE,
  sso_key: NOBODY,
  password: NOBODY,
} as const satisfies Record<string, Record<Viewer, Access>>;

export type OperatorField = keyof typeof OPERATOR_FIELD_ACCESS;

/** True when this reader sees this field of the operator `operatorId`. */
export function operatorFieldVisible(principal: Principal, field: string, operatorId: number): boolean {
  // A field missing from the table (added to a presenter but not here) is shown to nobody until it is decided.
  const row: Record<Viewer, Access> | undefined = (OPERATOR_FIELD_ACCESS as Record<string, Record<Viewer, Access>>)[
    field
  ];
  const access: Access = row?.[viewerOf(principal)] ?? 'no';
  if (access === 'self') return principal.scope === 'client' && principal.session?.operatorId === operatorId;
  return access === 'yes';
}

/** The fields of a presented operator this reader may see; every other field is dropped. */
export function visibleOperatorFields<T extends { id: number; _link: string }>(
  principal: Principal,
  operator: T,
): Partial<T> & { id: number; _link: string } {
  const shown: Partial<T> = {};
  for (const field of Object.keys(operator) as (keyof T & string)[]) {
    if (operatorFieldVisible(principal, field, operator.id)) shown[field] = operator[field];
  }
  return { ...shown, id: operator.id, _link: operator._link };
}
