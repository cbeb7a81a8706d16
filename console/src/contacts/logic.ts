// What the contacts page and the side panel's contact card compute, without React: a contact's name, its identities by
// channel, a form's changes as the API's body (custom attributes as a patch), and the checks a person gets while typing.

export type IdentityType = 'web' | 'whatsapp' | 'sms' | 'rcs' | 'chat' | 'email' | 'phone';

export interface Identity {
  type: IdentityType | string;
  value: string;
}

/** A contact as GET /api/2/visitor/{id} answers it (the fields the console uses). */
export interface Contact {
  id: number;
  unique_id?: string;
  external_id?: string | null;
  firstname?: string | null;
  lastname?: string | null;
  email?: string | null;
  phone?: string | null;
  city?: string | null;
  country?: string | null;
  created_at?: string;
  custom_attributes?: Record<string, string>;
  identities?: Identity[];
  conversation_id?: number[];
}

/** "Julie Martin", or "" when the contact gave no name. */
export function contactName(contact: Pick<Contact, 'firstname' | 'lastname'>): string {
  return [contact.firstname, contact.lastname]
    .map((part) => part?.trim() ?? '')
    .filter((part) => part !== '')
    .join(' ');
}

/** The order channels are shown in, so every contact reads alike. */
const IDENTITY_ORDER: readonly string[] = ['web', 'whatsapp', 'sms', 'rcs', 'chat', 'email', 'phone'];

/** Identities grouped by type, in the page's order; a phone number that is also a messaging address shows once. */
export function identitiesByType(identities: readonly Identity[]): [string, string[]][] {
  const messaging = new Set(
    identities.filter((identity) => ['whatsapp', 'sms', 'rcs'].includes(identity.type)).map((i) => i.value),
  );
  const groups = new Map<string, string[]>();
  for (const identity of identities) {
    if (identity.type === 'phone' && messaging.has(identity.value)) continue;
    const values = groups.get(identity.type) ?? [];
    if (!values.includes(identity.value)) values.push(identity.value);
    groups.set(identity.type, values);
  }
  const rank = (type: string) => {
    const index = IDENTITY_ORDER.indexOf(type);
    return index === -1 ? IDENTITY_ORDER.length : index;
  };
  return [...groups.entries()].sort((a, b) => rank(a[0]) - rank(b[0]));
}

/** The editable fields of a contact's form. */
export interface ContactDraft {
  firstname: string;
  lastname: string;
  email: string;
  phone: string;
  /** Custom attributes as rows, in the order shown; a row with an empty key is ignored. */
  attributes: { key: string; value: string }[];
}

export function draftOf(contact: Contact): ContactDraft {
  return {
    firstname: contact.firstname ?? '',
    lastname: contact.lastname ?? '',
    email: contact.email ?? '',
    phone: contact.phone ?? '',
    attributes: Object.entries(contact.custom_attributes ?? {}).map(([key, value]) => ({ key, value })),
  };
}

export type ContactBody = {
  firstname?: string | null;
  lastname?: string | null;
  email?: string | null;
  phone?: string | null;
  custom_attributes?: Record<string, string | null>;
};

const FIELDS = ['firstname', 'lastname', 'email', 'phone'] as const;

/**
 * The PUT body of what changed: an emptied field is null (cleared); custom attributes are sent as a patch (new and
 * changed keys with their value, removed keys with null), since the API keeps the keys not given.
 */
export function changesOf(contact: Contact, draft: ContactDraft): ContactBody {
  const body: ContactBody = {};
  for (const field of FIELDS) {
    const now = draft[field].trim();
    if (now !== (contact[field] ?? '')) body[field] = now === '' ? null : now;
  }
  const before = contact.custom_attributes ?? {};
  const after = new Map<string, string>();
  for (const row of draft.attributes) {
    const key = row.key.trim();
    if (key !== '') after.set(key, row.value.trim());
  }
  const patch: Record<string, string | null> = {};
  for (const [key, value] of after) if (before[key] !== value) patch[key] = value === '' ? null : value;
  for (const key of Object.keys(before)) if (!after.has(key)) patch[key] = null;
  if (Object.keys(patch).length > 0) body.custom_attributes = patch;
  return body;
}

/** A first check while typing (the server has the last word): null when it looks right. */
export function fieldProblem(field: 'email' | 'phone', value: string): 'email' | 'phone' | null {
  const text = value.trim();
  if (text === '') return null;
  if (field === 'email') return /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(text) ? null : 'email';
  const compact = text.replace(/[\s().-]/g, '');
  return /^\+[1-9][0-9]{7,14}$/.test(compact) || /^[0-9]{4,15}$/.test(compact) ? null : 'phone';
}

/** The form field a server's error names: `custom_attributes.plan` → `custom_attributes`. */
export function formFieldOf(field: string | null | undefined): string | null {
  if (field === null || field === undefined) return null;
  return field.split(/[.[]/)[0] ?? null;
}
