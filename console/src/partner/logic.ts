// The partner area's pure rules: where the signed-in key is kept, which decisions a state offers to whom, the bodies
// sent from what was typed, the field a 400 names and the state a 409 reports. No React here, so it is unit tested.
import { CauserieError } from '../api';
import { fieldInMessage } from '../form-error';
import { messageOf } from '../ui';

export type KeyScope = 'partner' | 'platform';

/** The key a partner (or platform administrator) signed in with; kept for the tab only (sessionStorage). */
export interface PartnerSignIn {
  key: string;
  scope: KeyScope;
}

const SIGN_IN_STORAGE = 'causerie.partner.key';

/** The stored sign-in, if any and well formed. */
export function loadSignIn(storage: Pick<Storage, 'getItem'>): PartnerSignIn | null {
  try {
    const parsed = JSON.parse(storage.getItem(SIGN_IN_STORAGE) ?? 'null') as Partial<PartnerSignIn> | null;
    if (parsed === null || typeof parsed.key !== 'string' || parsed.key === '') return null;
    if (parsed.scope !== 'partner' && parsed.scope !== 'platform') return null;
    return { key: parsed.key, scope: parsed.scope };
  } catch {
    return null;
  }
}

/** Keeps (or forgets, with null) the sign-in. */
export function storeSignIn(storage: Pick<Storage, 'setItem' | 'removeItem'>, signIn: PartnerSignIn | null): void {
  if (signIn === null) storage.removeItem(SIGN_IN_STORAGE);
  else storage.setItem(SIGN_IN_STORAGE, JSON.stringify(signIn));
}

export const COMPANY_STATES = ['pending_verification', 'verified', 'rejected', 'suspended'] as const;
export const ACCOUNT_STATES = [
  'pending_verification',
  'pending_activation',
  'active',
  'suspended',
  'rejected',
  'closed',
] as const;
export type CompanyState = (typeof COMPANY_STATES)[number];
export type AccountState = (typeof ACCOUNT_STATES)[number];
export type CompanyDecision = 'verify' | 'reject' | 'suspend' | 'reinstate';
export type AccountDecision = 'verify' | 'reject' | 'suspend' | 'reinstate' | 'close';

/** The decisions the API allows on a company in this state (a platform key's only), in the order they are offered. */
export function companyDecisions(state: string, scope: KeyScope): CompanyDecision[] {
  if (scope !== 'platform') return [];
  if (state === 'pending_verification') return ['verify', 'reject'];
  if (state === 'verified') return ['suspend'];
  if (state === 'suspended') return ['reinstate'];
  return [];
}

/** The decisions on an account in this state: verification is the platform's, suspension and closing both's. */
export function accountDecisions(state: string, scope: KeyScope): AccountDecision[] {
  const verification: AccountDecision[] = scope === 'platform' ? ['verify', 'reject'] : [];
  switch (state) {
    case 'pending_verification':
      return [...verification, 'close'];
    case 'active':
      return ['suspend', 'close'];
    case 'suspended':
      return ['reinstate', 'close'];
    case 'pending_activation':
    case 'rejected':
      return ['close'];
    default:
      return [];
  }
}

/** Decisions the server refuses without a reason. */
export function reasonRequired(kind: 'company' | 'account', decision: string): boolean {
  return kind === 'company' ? decision === 'reject' || decision === 'suspend' : decision === 'reject';
}

/** The API field a failure names, as a dotted path (`owner.email`), from `meta.field` or the message; else null. */
export function failedFieldOf(failure: unknown): string | null {
  if (!(failure instanceof CauserieError)) return null;
  const raw = failure.field ?? fieldInMessage(failure.message);
  if (raw === null || raw === undefined) return null;
  const path = raw
    .split(/[[\]./]+/)
    .filter((part) => part !== '')
    .join('.');
  return path === '' ? null : path;
}

/** The state a refused transition (409 `invalid_transition`) reports the resource to be in now; else null. */
export function refusedState(failure: unknown): string | null {
  if (!(failure instanceof CauserieError) || failure.status !== 409) return null;
  return /Current state: '([a-z_]+)'/.exec(failure.message)?.[1] ?? /is '([a-z_]+)'/.exec(failure.message)?.[1] ?? null;
}

/** A failure as one line: a refused transition in the reader's words (given the state's label), else the server's. */
export function failureLine(failure: unknown, refused: (state: string) => string): string {
  const state = refusedState(failure);
  return state === null ? messageOf(failure) : refused(state);
}

/** A form's typed text: optional fields left blank are not sent; required ones are, trimmed, for the server to judge. */
export function bodyOf(
  typed: Readonly<Record<string, string>>,
  required: readonly string[],
): Record<string, string | undefined> {
  const body: Record<string, string> = {};
  for (const [name, value] of Object.entries(typed)) {
    const trimmed = value.trim();
    if (trimmed !== '' || required.includes(name)) body[name] = trimmed;
  }
  return body;
}

export const COMPANY_FIELDS = [
  'legal_name',
  'trade_name',
  'legal_identifier',
  'address',
  'country',
  'website',
  'email',
  'phone',
  'sector',
  'logo_url',
] as const;
export const COMPANY_REQUIRED = ['legal_name', 'legal_identifier', 'address', 'country', 'email', 'phone'] as const;

/** The company as POST /client/company takes it (the country upper-cased, as ISO codes are). */
export function companyBody(typed: Readonly<Record<(typeof COMPANY_FIELDS)[number], string>>) {
  const body = bodyOf(typed, COMPANY_REQUIRED);
  if (body.country !== undefined) body.country = body.country.toUpperCase();
  return body;
}

export interface AccountDraft {
  company_id: string;
  name: string;
  owner_name: string;
  owner_email: string;
  owner_phone: string;
  owner_locale: string;
  owner_timezone: string;
  activation_required: boolean;
}

/** The account as POST /system/account takes it; `owner.*` fields are the form's `owner_*` inputs. */
export function accountBody(draft: AccountDraft) {
  const owner = bodyOf(
    {
      name: draft.owner_name,
      email: draft.owner_email,
      phone: draft.owner_phone,
      locale: draft.owner_locale,
      timezone: draft.owner_timezone,
    },
    ['name', 'email'],
  );
  const name = draft.name.trim();
  return {
    company_id: Number(draft.company_id),
    ...(name !== '' && { name }),
    owner,
    activation_required: draft.activation_required,
  };
}

export interface EnvironmentDraft {
  name: string;
  description: string;
  logo_url: string;
  banner_url: string;
  brand_color: string;
  phone: string;
  email: string;
  website: string;
  privacy_url: string;
  terms_url: string;
  /** Carriers as typed: region ids separated by commas or spaces ('orange-fr, sfr-fr'). */
  carriers: string;
}

export const ENVIRONMENT_REQUIRED = [
  'name',
  'description',
  'logo_url',
  'banner_url',
  'brand_color',
  'privacy_url',
  'terms_url',
] as const;

/** A chat environment on RCS as POST /chatbot/agent takes it. */
export function environmentBody(draft: EnvironmentDraft) {
  const { carriers, ...fields } = draft;
  return {
    ...bodyOf(fields, ENVIRONMENT_REQUIRED),
    channels: ['rcs'],
    carriers: carriers
      .split(/[\s,;]+/)
      .map((carrier) => carrier.trim().toLowerCase())
      .filter((carrier) => carrier !== ''),
  };
}

/** The form input a failed field belongs to: `owner.email` is the `owner_email` input; `carriers[1]` is `carriers`. */
export function inputOfField(field: string | null): string | null {
  if (field === null) return null;
  const [head, next] = field.split('.');
  if (head === 'owner' && next !== undefined) return `owner_${next}`;
  return head ?? null;
}

/** Pages of a list: `page` of `pages`, whether there is a previous and a next one. */
export function pagingOf(pagination: { page: number; pages: number } | undefined) {
  const page = pagination?.page ?? 1;
  const pages = Math.max(1, pagination?.pages ?? 1);
  return { page, pages, previous: page > 1, next: page < pages };
}
