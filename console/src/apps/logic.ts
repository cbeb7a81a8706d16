// The Apps area's pure rules: the install wizard's steps, each field's input, the values a step sends, the connector's
// refusal read from a 422, and a price as people read it.

export type FieldType = 'TEXT' | 'NUMERIC' | 'PASSWORD' | 'EMAIL' | 'URL' | 'CHECKBOX';
export interface AppField {
  id: string;
  label: string;
  type: FieldType;
}
export type Interaction = 'product_list' | 'visitor_profile' | 'conversation_closing';

/** An app of GET /api/2/marketplace. */
export interface MarketplaceApp {
  id: number;
  name: string;
  description: string;
  logo_url: string | null;
  price: number;
  developer: string;
  version: string;
  authentication: { fields: AppField[] };
  settings: { fields: AppField[] };
  interactions: Interaction[];
  installation_id: number | null;
}

/** An installation of GET /api/2/installation. */
export interface Installation {
  id: number;
  app_id: number;
  app_name: string;
  version: string;
  website_id: number[];
  created_at: string;
}

export type FieldStepName = 'authentication' | 'settings';
export type WizardStep = FieldStepName | 'websites';

/** The wizard's steps in order: a field step with no field is skipped; the websites step always ends it. */
export function wizardSteps(app: Pick<MarketplaceApp, 'authentication' | 'settings'>): WizardStep[] {
  return [
    ...(app.authentication.fields.length > 0 ? (['authentication'] as const) : []),
    ...(app.settings.fields.length > 0 ? (['settings'] as const) : []),
    'websites',
  ];
}

/** What an input holds: text for every type but CHECKBOX. */
export type FieldValue = string | boolean;
export type StepValues = Record<string, FieldValue>;

/** A step's empty form: checkboxes unticked, text empty. */
export function emptyValues(fields: readonly AppField[]): StepValues {
  return Object.fromEntries(fields.map((field) => [field.id, field.type === 'CHECKBOX' ? false : '']));
}

/** The input a field type is typed in. */
export interface InputKind {
  type: 'text' | 'password' | 'email' | 'url' | 'checkbox';
  inputMode?: 'numeric';
  autoComplete: string;
}
export function inputKindOf(type: FieldType): InputKind {
  switch (type) {
    case 'PASSWORD':
      // The app's password, not the admin's: the browser must not offer to fill the console's own.
      return { type: 'password', autoComplete: 'new-password' };
    case 'NUMERIC':
      return { type: 'text', inputMode: 'numeric', autoComplete: 'off' };
    case 'EMAIL':
      return { type: 'email', autoComplete: 'off' };
    case 'URL':
      return { type: 'url', autoComplete: 'off' };
    case 'CHECKBOX':
      return { type: 'checkbox', autoComplete: 'off' };
    default:
      return { type: 'text', autoComplete: 'off' };
  }
}

/**
 * The values a step sends, for every field in order: CHECKBOX as true/false, NUMERIC as a number when it reads as one
 * (else as typed, for the connector to judge), text as typed but trimmed (PASSWORD untouched: spaces may be in it).
 */
export function stepBody(fields: readonly AppField[], values: StepValues): Record<string, string | number | boolean> {
  return Object.fromEntries(
    fields.map((field) => {
      const value = values[field.id];
      if (field.type === 'CHECKBOX') return [field.id, value === true];
      const typed = typeof value === 'string' ? value : '';
      if (field.type === 'PASSWORD') return [field.id, typed];
      const trimmed = typed.trim();
      if (field.type === 'NUMERIC' && /^-?\d+(\.\d+)?$/.test(trimmed)) return [field.id, Number(trimmed)];
      return [field.id, trimmed];
    }),
  );
}

/** The connector's refusal of a step: its message (maybe empty) and each field's, by field id. */
export interface Refusal {
  step: FieldStepName | null;
  message: string;
  fields: Record<string, string>;
}

const record = (value: unknown): Record<string, unknown> | null =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null;

/** The refusal a 422 body of the verification or installation carries; null when the body is not one. */
export function refusalOf(body: unknown): Refusal | null {
  const meta = record(record(body)?.meta);
  const data = record(record(body)?.data);
  if (meta === null || data === null || !Array.isArray(data.fields)) return null;
  const fields: Record<string, string> = {};
  for (const item of data.fields) {
    const entry = record(item);
    if (entry !== null && typeof entry.id === 'string' && typeof entry.message === 'string' && !(entry.id in fields))
      fields[entry.id] = entry.message;
  }
  const step = data.step === 'authentication' || data.step === 'settings' ? data.step : null;
  return { step, message: typeof meta.message === 'string' ? meta.message : '', fields };
}

/** The first field, in the form's order, that the refusal names: it takes the focus. */
export function firstRefusedField(fields: readonly AppField[], refusal: Refusal | null): string | null {
  if (refusal === null) return null;
  return fields.find((field) => field.id in refusal.fields)?.id ?? null;
}

/** The refusal's own message when it adds to its fields' (the connector may send an empty one). */
export function refusalHeadline(refusal: Refusal, fallback: string): string {
  const message = refusal.message.trim();
  return message !== '' ? message : fallback;
}

/** The monthly fee per user in the console's language, or null for a free app. */
export function priceOf(price: number, language: string): string | null {
  if (!(price > 0)) return null;
  return new Intl.NumberFormat(language === 'fr' ? 'fr-FR' : 'en-GB', {
    style: 'currency',
    currency: 'EUR',
    minimumFractionDigits: Number.isInteger(price) ? 0 : 2,
  }).format(price);
}

/** The websites to install on: all by default; an empty choice is refused before the call. */
export function toggleWebsite(chosen: readonly number[], id: number, on: boolean): number[] {
  const without = chosen.filter((item) => item !== id);
  return on ? [...without, id].sort((a, b) => a - b) : without;
}

/** A logo the page may load: http(s) only (a `data:` or other scheme from a developer is not shown). */
export function safeImageUrl(url: string | null): string | null {
  if (url === null) return null;
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'https:' || parsed.protocol === 'http:' ? parsed.href : null;
  } catch {
    return null;
  }
}
