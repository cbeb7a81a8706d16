// The bodies of the administration's edit forms: what a PUT sends is only the fields the manager changed, as the API takes them.

/** A value of a PUT body: text, a number, a list of ids or names, or null (clearing a nullable field). */
export type FieldValue = string | number | null | readonly (string | number)[];
export type Fields = Readonly<Record<string, FieldValue>>;

const sameList = (a: readonly (string | number)[], b: readonly (string | number)[]): boolean => {
  if (a.length !== b.length) return false;
  const sorted = (list: readonly (string | number)[]) => [...list].map(String).sort();
  const left = sorted(a);
  const right = sorted(b);
  return left.every((value, index) => value === right[index]);
};

/** Whether two field values are the same; lists (roles, website ids…) are sets, their order does not count. */
export function sameValue(a: FieldValue | undefined, b: FieldValue | undefined): boolean {
  if (Array.isArray(a) || Array.isArray(b)) return Array.isArray(a) && Array.isArray(b) && sameList(a, b);
  return a === b;
}

/** The fields of `next` that differ from `before`; null when none does (there is nothing to send). */
export function changedFields(before: Fields, next: Fields): Record<string, FieldValue> | null {
  const body: Record<string, FieldValue> = {};
  for (const [name, value] of Object.entries(next)) if (!sameValue(before[name], value)) body[name] = value;
  return Object.keys(body).length === 0 ? null : body;
}

/** A whole number when the text is one; otherwise the text, so that the API names the field and says what it expects. */
export function numberValue(text: string): number | string {
  const trimmed = text.trim();
  const number = Number(trimmed);
  return trimmed !== '' && Number.isInteger(number) ? number : trimmed;
}

/** An optional text: empty means none (null). */
const optionalText = (text: string): string | null => (text.trim() === '' ? null : text.trim());

/** An operator as GET /operator?full=1 answers it (the fields the editor shows). */
export interface OperatorRecord {
  id: number;
  name: string;
  email: string;
  roles: readonly string[];
  first_name?: string | null;
  pseudo?: string | null;
  chat_max_number?: number;
  group_id?: number | null;
  website_list?: readonly number[];
  skill_list?: readonly number[];
}

/** The operator editor's form state: texts as typed, lists as ticked. */
export interface OperatorDraft {
  name: string;
  first_name: string;
  pseudo: string;
  email: string;
  roles: string[];
  chat_max_number: string;
  group_id: number | null;
  website_list: number[];
  skill_list: number[];
  /** A new password; empty keeps the current one. */
  password: string;
}

/** The form state an operator starts with. */
export function operatorDraft(operator: OperatorRecord): OperatorDraft {
  return {
    name: operator.name,
    first_name: operator.first_name ?? '',
    pseudo: operator.pseudo ?? '',
    email: operator.email,
    roles: [...operator.roles],
    chat_max_number: operator.chat_max_number === undefined ? '' : String(operator.chat_max_number),
    group_id: operator.group_id ?? null,
    website_list: [...(operator.website_list ?? [])],
    skill_list: [...(operator.skill_list ?? [])],
    password: '',
  };
}

/** The draft as the API's fields (the password apart: it is never compared, only sent when typed). */
function operatorFields(draft: OperatorDraft): Fields {
  return {
    name: draft.name.trim(),
    first_name: optionalText(draft.first_name),
    pseudo: optionalText(draft.pseudo),
    email: draft.email.trim(),
    roles: draft.roles,
    chat_max_number: numberValue(draft.chat_max_number),
    group_id: draft.group_id,
    website_list: draft.website_list,
    skill_list: draft.skill_list,
  };
}

/** The body of PUT /operator/{id}: the changed fields, and the password when one was typed; null when there is nothing to send. */
export function operatorChanges(operator: OperatorRecord, draft: OperatorDraft): Record<string, FieldValue> | null {
  const body = {
    ...changedFields(operatorFields(operatorDraft(operator)), operatorFields(draft)),
    ...(draft.password !== '' && { password: draft.password }),
  };
  return Object.keys(body).length === 0 ? null : body;
}

/** A group or a skill as listed (skills also have an order). */
export interface NamedRecord {
  id: number;
  name: string;
  parent_id?: number | null;
  operator_list?: readonly number[];
  order?: number;
}

export interface NamedDraft {
  name: string;
  parent_id: number | null;
  operator_list: number[];
  /** Skills only; empty for groups. */
  order: string;
}

export function namedDraft(row: NamedRecord): NamedDraft {
  return {
    name: row.name,
    parent_id: row.parent_id ?? null,
    operator_list: [...(row.operator_list ?? [])],
    order: row.order === undefined ? '' : String(row.order),
  };
}

function namedFields(draft: NamedDraft, resource: 'group' | 'skill'): Fields {
  return {
    name: draft.name.trim(),
    parent_id: draft.parent_id,
    operator_list: draft.operator_list,
    ...(resource === 'skill' && { order: numberValue(draft.order) }),
  };
}

/** The body of PUT /group/{id} or /skill/{id} (groups take no order); null when nothing changed. */
export function namedChanges(
  resource: 'group' | 'skill',
  row: NamedRecord,
  draft: NamedDraft,
): Record<string, FieldValue> | null {
  return changedFields(namedFields(namedDraft(row), resource), namedFields(draft, resource));
}

export interface WebsiteRecord {
  id: number;
  url: string;
  label?: string | null;
  routing_strategy?: string;
  /** ISO 4217 code of the website's statistics amounts. */
  currency?: string;
}

export interface WebsiteDraft {
  url: string;
  label: string;
  routing_strategy: string;
  currency: string;
}

export function websiteDraft(website: WebsiteRecord): WebsiteDraft {
  return {
    url: website.url,
    label: website.label ?? '',
    routing_strategy: website.routing_strategy ?? '',
    currency: website.currency ?? '',
  };
}

/**
 * The body of PUT /website/{id}; null when nothing changed. A label emptied is sent empty, for the API to say a label
 * cannot be blank (it has no way to remove one).
 */
export function websiteChanges(website: WebsiteRecord, draft: WebsiteDraft): Record<string, FieldValue> | null {
  const fields = (value: WebsiteDraft): Fields => ({
    url: value.url.trim(),
    label: value.label.trim(),
    ...(value.routing_strategy !== '' && { routing_strategy: value.routing_strategy }),
    // Codes are capitals (`eur` is refused by the API); anything else is sent as typed, for the API to name.
    ...(value.currency.trim() !== '' && { currency: value.currency.trim().toUpperCase() }),
  });
  return changedFields(fields(websiteDraft(website)), fields(draft));
}
