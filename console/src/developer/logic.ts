// The developer area's pure logic: the session kept for the tab, the editor's field lists (add, remove, move), the
// draft as the form holds it → the request body, and the API's field paths (`authentication[fields][0][id]`) → the
// input to mark. No DOM, no network: logic.test.ts covers it.

export interface DeveloperSession {
  token: string;
  developerId: number;
  expiresAt: string;
}

const SESSION_STORAGE = 'causerie.developer.session';

/** The tab's session, if any, well formed and not expired. */
export function loadSession(storage: Pick<Storage, 'getItem'>, now = Date.now()): DeveloperSession | null {
  try {
    const parsed = JSON.parse(storage.getItem(SESSION_STORAGE) ?? 'null') as Partial<DeveloperSession> | null;
    if (parsed === null || typeof parsed.token !== 'string' || parsed.token === '') return null;
    if (typeof parsed.developerId !== 'number' || typeof parsed.expiresAt !== 'string') return null;
    if (Date.parse(parsed.expiresAt) <= now) return null;
    return { token: parsed.token, developerId: parsed.developerId, expiresAt: parsed.expiresAt };
  } catch {
    return null;
  }
}

/** Keeps (or forgets, with null) the session for this tab only. */
export function storeSession(storage: Pick<Storage, 'setItem' | 'removeItem'>, session: DeveloperSession | null): void {
  if (session === null) storage.removeItem(SESSION_STORAGE);
  else storage.setItem(SESSION_STORAGE, JSON.stringify(session));
}

/** The invitation token of `/admin/developer/activate#token=…` (in the hash, so it never reaches a server log). */
export function tokenOfHash(hash: string): string | null {
  const token = new URLSearchParams(hash.replace(/^#/, '')).get('token');
  return token === null || token.trim() === '' ? null : token.trim();
}

export const PASSWORD_MIN = 10;

/** Why the two passwords cannot be sent yet; null when they can. */
export function passwordProblem(password: string, again: string): 'short' | 'different' | null {
  if (password.length < PASSWORD_MIN) return 'short';
  if (password !== again) return 'different';
  return null;
}

export const FIELD_TYPES = ['TEXT', 'NUMERIC', 'PASSWORD', 'EMAIL', 'URL', 'CHECKBOX'] as const;
export type FieldType = (typeof FIELD_TYPES)[number];

export interface FieldRow {
  id: string;
  label: string;
  type: FieldType;
}

export const STEPS = ['authentication', 'settings'] as const;
export type StepName = (typeof STEPS)[number];

export interface StepForm {
  fields: FieldRow[];
  verificationUrl: string;
}

export const LINKS = ['website', 'support', 'documentation', 'privacy'] as const;
export type LinkName = (typeof LINKS)[number];

export const INTERACTIONS = ['product_list', 'visitor_profile', 'conversation_closing'] as const;
export type InteractionName = (typeof INTERACTIONS)[number];

/** The editor's state: every value as typed (text), the interactions as toggles that keep their URLs when off. */
export interface DraftForm {
  name: string;
  description: string;
  logoUrl: string;
  links: Record<LinkName, string>;
  price: string;
  privacy: 'public' | 'private';
  clientIds: string;
  authentication: StepForm;
  settings: StepForm;
  productList: { enabled: boolean; catalogueUrl: string; categoriesUrl: string };
  visitorProfile: { enabled: boolean; url: string };
  conversationClosing: { enabled: boolean; url: string };
}

export const emptyDraft = (): DraftForm => ({
  name: '',
  description: '',
  logoUrl: '',
  links: { website: '', support: '', documentation: '', privacy: '' },
  price: '0',
  privacy: 'public',
  clientIds: '',
  authentication: { fields: [], verificationUrl: '' },
  settings: { fields: [], verificationUrl: '' },
  productList: { enabled: false, catalogueUrl: '', categoriesUrl: '' },
  visitorProfile: { enabled: false, url: '' },
  conversationClosing: { enabled: false, url: '' },
});

/** The parts of an app's answer the editor shows. */
export interface AppShape {
  name: string;
  description: string;
  logo_url: string | null;
  links: Partial<Record<LinkName, string>>;
  price: number;
  privacy: 'public' | 'private';
  client_ids: number[];
  authentication: { fields: FieldRow[]; verification_url: string | null };
  settings: { fields: FieldRow[]; verification_url: string | null };
  interactions: {
    product_list: { catalogue_url: string; categories_url: string } | null;
    visitor_profile: { url: string } | null;
    conversation_closing: { url: string } | null;
  };
}

/** The editor's state for an app as the API answers it. */
export function draftOf(app: AppShape): DraftForm {
  const { product_list, visitor_profile, conversation_closing } = app.interactions;
  return {
    name: app.name,
    description: app.description,
    logoUrl: app.logo_url ?? '',
    links: {
      website: app.links.website ?? '',
      support: app.links.support ?? '',
      documentation: app.links.documentation ?? '',
      privacy: app.links.privacy ?? '',
    },
    price: String(app.price),
    privacy: app.privacy,
    clientIds: app.client_ids.join(', '),
    authentication: {
      fields: app.authentication.fields.map((field) => ({ ...field })),
      verificationUrl: app.authentication.verification_url ?? '',
    },
    settings: {
      fields: app.settings.fields.map((field) => ({ ...field })),
      verificationUrl: app.settings.verification_url ?? '',
    },
    productList: {
      enabled: product_list !== null,
      catalogueUrl: product_list?.catalogue_url ?? '',
      categoriesUrl: product_list?.categories_url ?? '',
    },
    visitorProfile: { enabled: visitor_profile !== null, url: visitor_profile?.url ?? '' },
    conversationClosing: { enabled: conversation_closing !== null, url: conversation_closing?.url ?? '' },
  };
}

// Field list edits: each returns a new list, the given one unchanged.

/** A new TEXT field at the end, with an id not used yet in either step (`field_1`, `field_2`…). */
export function addField(fields: readonly FieldRow[], taken: readonly FieldRow[] = []): FieldRow[] {
  const used = new Set([...fields, ...taken].map((field) => field.id));
  let number = fields.length + 1;
  while (used.has(`field_${number}`)) number += 1;
  return [...fields, { id: `field_${number}`, label: '', type: 'TEXT' }];
}

export const removeField = (fields: readonly FieldRow[], index: number): FieldRow[] =>
  fields.filter((_, at) => at !== index);

/** Moves a field one place up (-1) or down (+1); at an end, the list stays as it is. */
export function moveField(fields: readonly FieldRow[], index: number, by: -1 | 1): FieldRow[] {
  const target = index + by;
  const moved = [...fields];
  const field = moved[index];
  const other = moved[target];
  if (field === undefined || other === undefined) return moved;
  moved[index] = other;
  moved[target] = field;
  return moved;
}

export const changeField = (fields: readonly FieldRow[], index: number, change: Partial<FieldRow>): FieldRow[] =>
  fields.map((field, at) => (at === index ? { ...field, ...change } : field));

/** A number as typed, or the text itself so that the server names the field it cannot read. */
const numberOrText = (typed: string): number | string => {
  const trimmed = typed.trim().replace(',', '.');
  return trimmed !== '' && Number.isFinite(Number(trimmed)) ? Number(trimmed) : typed;
};

/** `12, 14` or `12 14` → [12, 14]; a word stays a word, for the server to refuse by its place. */
export const clientIdsOf = (typed: string): Array<number | string> =>
  typed
    .split(/[\s,;]+/)
    .filter((part) => part !== '')
    .map(numberOrText);

const nullIfBlank = (typed: string): string | null => (typed.trim() === '' ? null : typed.trim());

/**
 * The body of POST/PUT /api/2/app for the editor's state: blanks become null (logo, verification URLs) or are left out
 * (links), interactions switched off become null, client ids only for a private app.
 */
export function requestBody(draft: DraftForm): Record<string, unknown> {
  const links: Partial<Record<LinkName, string>> = {};
  for (const name of LINKS) {
    const value = draft.links[name].trim();
    if (value !== '') links[name] = value;
  }
  const step = (form: StepForm) => ({
    fields: form.fields.map((field) => ({ id: field.id.trim(), label: field.label, type: field.type })),
    verification_url: nullIfBlank(form.verificationUrl),
  });
  return {
    name: draft.name,
    description: draft.description,
    logo_url: nullIfBlank(draft.logoUrl),
    links,
    price: numberOrText(draft.price),
    privacy: draft.privacy,
    client_ids: draft.privacy === 'private' ? clientIdsOf(draft.clientIds) : [],
    authentication: step(draft.authentication),
    settings: step(draft.settings),
    interactions: {
      product_list: draft.productList.enabled
        ? {
            catalogue_url: draft.productList.catalogueUrl.trim(),
            categories_url: draft.productList.categoriesUrl.trim(),
          }
        : null,
      visitor_profile: draft.visitorProfile.enabled ? { url: draft.visitorProfile.url.trim() } : null,
      conversation_closing: draft.conversationClosing.enabled ? { url: draft.conversationClosing.url.trim() } : null,
    },
  };
}

/** The keys of the editor's inputs (the API's field paths with dots): `name`, `authentication.fields.0.id`… */
export function inputKeys(draft: DraftForm): string[] {
  const keys = ['name', 'description', 'logo_url', ...LINKS.map((name) => `links.${name}`), 'price', 'privacy'];
  if (draft.privacy === 'private') keys.push('client_ids');
  for (const step of STEPS) {
    draft[step].fields.forEach((_, index) => {
      keys.push(`${step}.fields.${index}.id`, `${step}.fields.${index}.label`, `${step}.fields.${index}.type`);
    });
    keys.push(`${step}.verification_url`);
  }
  if (draft.productList.enabled)
    keys.push('interactions.product_list.catalogue_url', 'interactions.product_list.categories_url');
  if (draft.visitorProfile.enabled) keys.push('interactions.visitor_profile.url');
  if (draft.conversationClosing.enabled) keys.push('interactions.conversation_closing.url');
  return keys;
}

/**
 * The input an API error's field names: `authentication[fields][0][id]` → `authentication.fields.0.id`; a path deeper
 * or vaguer than any input (`client_ids[2]`, `interactions[product_list]`, `/settings/fields/1`) goes to the nearest
 * input that holds it, or the first input of the group it names. Null when no input is concerned.
 */
export function inputOfError(field: string | null | undefined, keys: readonly string[]): string | null {
  if (field === null || field === undefined) return null;
  const parts = field.split(/[[\]./]+/).filter((part) => part !== '');
  for (let length = parts.length; length > 0; length -= 1) {
    const candidate = parts.slice(0, length).join('.');
    if (keys.includes(candidate)) return candidate;
    // Only the whole path may name a group of inputs (its first one): a shorter prefix would be another input's.
    const inside = length === parts.length ? keys.find((key) => key.startsWith(`${candidate}.`)) : undefined;
    if (inside !== undefined) return inside;
  }
  return null;
}

/**
 * The server's message as shown beside the input it names: without the seed's "Value of field 'x' is not valid."
 * opening, which the input's place already says; the message as it is otherwise.
 */
export function messageBesideInput(message: string): string {
  const rest = message.replace(/^Value of field '[^']+' is not valid\.\s*/, '');
  return rest === '' ? message : rest;
}

/** A webhook's events as typed in a text list: one a line or separated by commas, blanks dropped. */
export const eventsOf = (typed: string): string[] =>
  typed
    .split(/[\n,]+/)
    .map((event) => event.trim())
    .filter((event) => event !== '');

/** The webhook form's input an API error names (`events[0]` → `events`). */
export function webhookInputOf(field: string | null | undefined): 'name' | 'url' | 'content_type' | 'events' | null {
  const head = field?.split(/[[\]./]+/).find((part) => part !== '');
  return head === 'name' || head === 'url' || head === 'content_type' || head === 'events' ? head : null;
}

/** A version number after the newest one submitted (listed first): `1.2.3` → `1.2.4`; `1.0.0` for the first. */
export function nextVersion(versions: readonly string[]): string {
  const newest = versions[0];
  if (newest === undefined || !/^\d+(\.\d+)*$/.test(newest)) return '1.0.0';
  const parts = newest.split('.').map(Number);
  parts[parts.length - 1] = (parts[parts.length - 1] ?? 0) + 1;
  return parts.join('.');
}
