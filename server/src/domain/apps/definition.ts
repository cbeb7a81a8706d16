// What an app (a connector, seed 003) declares: its profile, its authentication and settings fields with their
// verification URLs, its interactions with the agent console. The developer edits it as a draft; a submitted version
// freezes a copy. Shapes, checks and the one place that reads a stored draft.
import { fieldInvalid } from '../../errors.js';
import { type OutboundAllowlist, registeredUrlRefusal } from '../../http/outbound.js';

/** The field types an app's authentication and settings forms may ask for. */
export const FIELD_TYPES = ['TEXT', 'NUMERIC', 'PASSWORD', 'EMAIL', 'URL', 'CHECKBOX'] as const;
export type FieldType = (typeof FIELD_TYPES)[number];

export interface AppField {
  id: string;
  label: string;
  type: FieldType;
}

export interface FieldStep {
  fields: AppField[];
  verification_url?: string | null | undefined;
}

export interface AppLinks {
  website?: string | undefined;
  support?: string | undefined;
  documentation?: string | undefined;
  privacy?: string | undefined;
}

export interface Interactions {
  product_list?: { catalogue_url: string; categories_url: string } | null | undefined;
  visitor_profile?: { url: string } | null | undefined;
  conversation_closing?: { url: string } | null | undefined;
}

/** The stored draft (app.draft) and the definition a version freezes. */
export interface AppDraft {
  description: string;
  logo_url: string | null;
  links: AppLinks;
  price: number;
  privacy: 'public' | 'private';
  client_ids: number[];
  authentication: { fields: AppField[]; verification_url: string | null };
  settings: { fields: AppField[]; verification_url: string | null };
  interactions: {
    product_list: { catalogue_url: string; categories_url: string } | null;
    visitor_profile: { url: string } | null;
    conversation_closing: { url: string } | null;
  };
}

/** A version's definition: the draft and the app's name and webhooks as they were submitted. */
export interface AppDefinition extends AppDraft {
  name: string;
  /** `secret`: the app webhook's token as sealed in app_webhook (bound to its id), kept so installs sign with it. */
  webhooks: Array<{ id: number; name: string; url: string; content_type: string; events: string[]; secret: string }>;
}

export const EMPTY_DRAFT: AppDraft = {
  description: '',
  logo_url: null,
  links: {},
  price: 0,
  privacy: 'public',
  client_ids: [],
  authentication: { fields: [], verification_url: null },
  settings: { fields: [], verification_url: null },
  interactions: { product_list: null, visitor_profile: null, conversation_closing: null },
};

export function readDraft(stored: string): AppDraft {
  return { ...EMPTY_DRAFT, ...(JSON.parse(stored) as Partial<AppDraft>) };
}

export function readDefinition(stored: string): AppDefinition {
  return { ...EMPTY_DRAFT, name: '', webhooks: [], ...(JSON.parse(stored) as Partial<AppDefinition>) };
}

/** A URL the platform will call (verification, connector calls): absolute, and allowed by the outbound guard. */
export function connectorUrl(raw: string, field: string, allowlist: OutboundAllowlist): string {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw fieldInvalid(field, "Expected an absolute URL, such as 'https://connector.example.com/verify'.");
  }
  const refusal = registeredUrlRefusal(url, allowlist);
  if (refusal !== undefined) throw fieldInvalid(field, refusal);
  return url.toString();
}

/** A URL only shown (logo, links): absolute http(s). */
export function shownUrl(raw: string, field: string): string {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw fieldInvalid(field, "Expected an absolute URL, such as 'https://example.com/logo.png'.");
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw fieldInvalid(field, 'Expected an http(s) URL.');
  return url.toString();
}

export type DraftChanges = Partial<{
  description: string;
  logo_url: string | null;
  links: AppLinks;
  price: number;
  privacy: 'public' | 'private';
  client_ids: number[];
  authentication: FieldStep;
  settings: FieldStep;
  interactions: Interactions;
}>;

/**
 * The draft with these changes, every URL checked (connector URLs by the outbound guard) and field ids unique over
 * both steps (an installation's values are keyed by field id).
 */
export function applyDraftChanges(draft: AppDraft, changes: DraftChanges, allowlist: OutboundAllowlist): AppDraft {
  const next: AppDraft = structuredClone(draft);
  if (changes.description !== undefined) next.description = changes.description.trim();
  if (changes.logo_url !== undefined)
    next.logo_url = changes.logo_url === null ? null : shownUrl(changes.logo_url, 'logo_url');
  if (changes.links !== undefined) {
    const links: Record<string, string> = {};
    for (const [name, value] of Object.entries(changes.links))
      if (value !== undefined) links[name] = shownUrl(value, `links[${name}]`);
    next.links = links;
  }
  if (changes.price !== undefined) next.price = Math.round(changes.price * 100) / 100;
  if (changes.privacy !== undefined) next.privacy = changes.privacy;
  if (changes.client_ids !== undefined) next.client_ids = [...changes.client_ids];
  for (const step of ['authentication', 'settings'] as const) {
    const given = changes[step];
    if (given === undefined) continue;
    next[step] = {
      fields: given.fields.map((field) => ({ id: field.id, label: field.label.trim(), type: field.type })),
      verification_url:
        given.verification_url === undefined || given.verification_url === null
          ? null
          : connectorUrl(given.verification_url, `${step}[verification_url]`, allowlist),
    };
  }
  const ids = new Set<string>();
  for (const step of ['authentication', 'settings'] as const)
    for (const [index, field] of next[step].fields.entries()) {
      if (ids.has(field.id))
        throw fieldInvalid(
          `${step}[fields][${index}][id]`,
          `The field id '${field.id}' is used twice: field ids are unique over authentication and settings.`,
        );
      ids.add(field.id);
    }
  const interactions = changes.interactions;
  if (interactions !== undefined) {
    if (interactions.product_list !== undefined)
      next.interactions.product_list =
        interactions.product_list === null
          ? null
          : {
              catalogue_url: connectorUrl(
                interactions.product_list.catalogue_url,
                'interactions[product_list][catalogue_url]',
                allowlist,
              ),
              categories_url: connectorUrl(
                interactions.product_list.categories_url,
                'interactions[product_list][categories_url]',
                allowlist,
              ),
            };
    for (const name of ['visitor_profile', 'conversation_closing'] as const) {
      const given = interactions[name];
      if (given === undefined) continue;
      next.interactions[name] =
        given === null ? null : { url: connectorUrl(given.url, `interactions[${name}][url]`, allowlist) };
    }
  }
  return next;
}

/** Why a draft cannot be submitted yet, naming the field; undefined when it can. */
export function submissionProblem(draft: AppDraft): { field: string; problem: string } | undefined {
  if (draft.description === '')
    return { field: 'description', problem: 'An app needs a description before it is submitted for review.' };
  if (draft.privacy === 'private' && draft.client_ids.length === 0)
    return { field: 'client_ids', problem: 'A private app names the clients it is for.' };
  return undefined;
}
