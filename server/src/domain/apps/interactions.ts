// The agent console's interactions with installed apps (seed 003, App Interactions): the product list (categories and
// products), the visitor profile and the conversation closing form, fetched server-side from the connector with the
// seed's filters. Every call goes through the outbound guard with a short timeout; answers are checked against the
// seed's shapes and kept briefly (the same popup opened twice asks once); a slow, failing or malformed connector is a
// 502 whose message the console shows — it never blocks the conversation.
import type { Kysely } from 'kysely';
import type { AppInstallationRow, ConversationRow, Database } from '../../db/schema.js';
import { ApiError, fieldInvalid, unknownResource } from '../../errors.js';
import type { OutboundGuard } from '../../http/outbound.js';
import { ConnectorFailure, callConnector } from './connector-call.js';
import { type AppDefinition, readDefinition } from './definition.js';
import { openSigningSecret } from './signing.js';

export const CONNECTOR_TIMEOUT_MS = 3_000;
const CACHE_MS = 30_000;
const CACHE_MAX = 1_000;
const MAX_ITEMS = 200;

export interface Category {
  id: string;
  idParent: string | null;
  label: string;
  products: string[] | null;
  productsCount: number;
}

export interface Product {
  id: string;
  title: string;
  productUrl: string;
  brand: string | null;
  description: string;
  shortDescription: string | null;
  available: boolean | null;
  imageUrl: string;
  reference: string | null;
  priceCatalog: string;
  pricePromotion: string | null;
  priceSpecial: string | null;
}

export interface ProfileField {
  id: string;
  label: string;
  value: string;
  fieldType: 'URL' | 'TEXT';
}

export interface ClosingField {
  id: string;
  idParent: string | null;
  label: string;
  fieldType: 'TEXT' | 'CHECKBOX';
  isRequired: boolean;
}

type Reader<T> = (item: Record<string, unknown>) => T | undefined;

// The seed types ids as Integer in its tables and as strings in its examples: both are read, as text.
const idText = (value: unknown): string | undefined =>
  typeof value === 'string' && value !== ''
    ? value
    : typeof value === 'number' && Number.isInteger(value)
      ? String(value)
      : undefined;
const textOrNull = (value: unknown): string | null | undefined =>
  value === null || value === undefined ? null : typeof value === 'string' ? value : undefined;
const isHttpUrl = (value: unknown): value is string => {
  if (typeof value !== 'string') return false;
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || url.protocol === 'http:';
  } catch {
    return false;
  }
};

export const readCategory: Reader<Category> = (item) => {
  const id = idText(item.id);
  const idParent = item.idParent === null || item.idParent === undefined ? null : idText(item.idParent);
  const count = item.productsCount;
  const products = item.products;
  if (id === undefined || idParent === undefined || typeof item.label !== 'string') return undefined;
  if (typeof count !== 'number' || !Number.isInteger(count) || count < 0) return undefined;
  if (products !== null && products !== undefined && !(Array.isArray(products) && products.every((p) => idText(p))))
    return undefined;
  return {
    id,
    idParent,
    label: item.label,
    products: Array.isArray(products) ? products.map((p) => idText(p) ?? '') : null,
    productsCount: count,
  };
};

export const readProduct: Reader<Product> = (item) => {
  const id = idText(item.id);
  if (id === undefined || typeof item.title !== 'string' || !isHttpUrl(item.productUrl) || !isHttpUrl(item.imageUrl))
    return undefined;
  if (typeof item.priceCatalog !== 'string') return undefined;
  const optional = ['brand', 'description', 'shortDescription', 'reference', 'pricePromotion', 'priceSpecial'].map(
    (name) => textOrNull(item[name]),
  );
  if (optional.some((value) => value === undefined)) return undefined;
  if (item.available !== undefined && item.available !== null && typeof item.available !== 'boolean') return undefined;
  const [brand, description, shortDescription, reference, pricePromotion, priceSpecial] = optional as Array<
    string | null
  >;
  return {
    id,
    title: item.title,
    productUrl: item.productUrl,
    brand: brand ?? null,
    description: description ?? '',
    shortDescription: shortDescription ?? null,
    available: typeof item.available === 'boolean' ? item.available : null,
    imageUrl: item.imageUrl,
    reference: reference ?? null,
    priceCatalog: item.priceCatalog,
    pricePromotion: pricePromotion ?? null,
    priceSpecial: priceSpecial ?? null,
  };
};

export const readProfileField: Reader<ProfileField> = (item) => {
  const id = idText(item.id);
  if (id === undefined || typeof item.label !== 'string' || typeof item.value !== 'string') return undefined;
  if (item.fieldType !== 'URL' && item.fieldType !== 'TEXT') return undefined;
  // A URL field is rendered as a link: only http(s), never javascript: or data:.
  if (item.fieldType === 'URL' && !isHttpUrl(item.value)) return undefined;
  return { id, label: item.label, value: item.value, fieldType: item.fieldType };
};

export const readClosingField: Reader<ClosingField> = (item) => {
  const id = idText(item.id);
  const idParent = item.idParent === null || item.idParent === undefined ? null : idText(item.idParent);
  if (id === undefined || idParent === undefined || typeof item.label !== 'string') return undefined;
  if (item.fieldType !== 'TEXT' && item.fieldType !== 'CHECKBOX') return undefined;
  if (typeof item.isRequired !== 'boolean') return undefined;
  return { id, idParent, label: item.label, fieldType: item.fieldType, isRequired: item.isRequired };
};

const connectorFault = (appName: string, problem: string) =>
  new ApiError(
    'connector_failed',
    502,
    `${appName} ${problem}. The conversation goes on; try again in a moment.`,
    'error',
  );

/** Calls the connector and its answers, kept a short while per URL (per node: a brief cache, not a store). */
export class ConnectorCalls {
  private readonly cache = new Map<string, { expiresAt: number; items: unknown[] }>();

  constructor(private readonly outbound: OutboundGuard) {}

  /** GETs `url` with the seed's filters and reads a JSON array of items with `read`; a malformed item fails the answer. */
  async list<T>(
    app: Pick<ConversationApp, 'definition' | 'signingSecret'>,
    url: string,
    query: Record<string, string>,
    read: Reader<T>,
  ): Promise<T[]> {
    const appName = app.definition.name;
    const target = new URL(url);
    for (const [name, value] of Object.entries(query)) target.searchParams.set(name, value);
    const cacheKey = target.toString();
    const kept = this.cache.get(cacheKey);
    if (kept !== undefined && kept.expiresAt > Date.now()) return kept.items as T[];
    let parsed: unknown;
    try {
      parsed = await callConnector(this.outbound, {
        method: 'GET',
        url: cacheKey,
        signingSecret: app.signingSecret(),
        timeoutMs: CONNECTOR_TIMEOUT_MS,
        maxResponseBytes: 512 * 1024,
      });
    } catch (error) {
      if (!(error instanceof ConnectorFailure)) throw error;
      // Operators read it: a late or unreachable connector is said in plain words, without the network detail.
      throw connectorFault(appName, error.kind === 'unanswered' ? 'did not answer in time' : error.problem);
    }
    if (!Array.isArray(parsed)) throw connectorFault(appName, 'answered JSON that is not a list');
    const items: T[] = [];
    for (const [index, raw] of parsed.slice(0, MAX_ITEMS).entries()) {
      const item = typeof raw === 'object' && raw !== null ? read(raw as Record<string, unknown>) : undefined;
      if (item === undefined)
        throw connectorFault(appName, `answered an item (${index + 1}) not of the expected shape`);
      items.push(item);
    }
    if (this.cache.size >= CACHE_MAX) this.cache.clear();
    this.cache.set(cacheKey, { expiresAt: Date.now() + CACHE_MS, items });
    return items;
  }
}

/** Whether an installation's stored websites cover a website (an empty list covers every website of the client). */
export function coversWebsite(storedWebsiteIds: string, websiteId: number): boolean {
  const ids = JSON.parse(storedWebsiteIds) as number[];
  return ids.length === 0 || ids.includes(websiteId);
}

/** An installation of the conversation's client covering its website, with its version's definition. */
export interface ConversationApp {
  installation: AppInstallationRow;
  definition: AppDefinition;
  connectorVersionId: string;
  /** Signs the calls to its connector (signing.ts); opened only when a call leaves (a cached answer needs none). */
  signingSecret: () => string | undefined;
}

/** The apps installed for the conversation's website, oldest installation first. */
export async function conversationApps(
  db: Kysely<Database>,
  key: Buffer,
  conversation: ConversationRow,
  onlyInstallation?: number,
): Promise<ConversationApp[]> {
  let query = db
    .selectFrom('app_installation')
    .innerJoin('app_version', 'app_version.id', 'app_installation.app_version_id')
    .innerJoin('app', 'app.id', 'app_installation.app_id')
    .selectAll('app_installation')
    .select(['app_version.definition', 'app_version.uuid as version_uuid', 'app.signing_secret'])
    .where('app_installation.client_id', '=', conversation.client_id)
    .where('app_installation.deleted_at', 'is', null);
  if (onlyInstallation !== undefined) query = query.where('app_installation.id', '=', onlyInstallation);
  const rows = await query.orderBy('app_installation.id').execute();
  return rows.flatMap(({ definition, version_uuid, signing_secret, ...installation }) =>
    coversWebsite(installation.website_ids, conversation.website_id)
      ? [
          {
            installation,
            definition: readDefinition(definition),
            connectorVersionId: version_uuid,
            signingSecret: () => openSigningSecret(key, installation.app_id, signing_secret),
          },
        ]
      : [],
  );
}

/** One installed app of the conversation's website, or 404. */
export async function conversationApp(
  db: Kysely<Database>,
  key: Buffer,
  conversation: ConversationRow,
  installationId: number,
): Promise<ConversationApp> {
  const [found] = await conversationApps(db, key, conversation, installationId);
  if (found === undefined) throw unknownResource('installation', installationId);
  return found;
}

function interactionUrl<K extends keyof AppDefinition['interactions']>(
  app: ConversationApp,
  name: K,
): NonNullable<AppDefinition['interactions'][K]> {
  const interaction = app.definition.interactions[name];
  if (interaction === null || interaction === undefined)
    throw new ApiError(
      'interaction_missing',
      404,
      `${app.definition.name} has no ${name.replace('_', ' ')} interaction.`,
    );
  return interaction;
}

const paging = (limit: number | undefined, offset: number | undefined) => ({
  limit: String(limit ?? 20),
  offset: String(offset ?? 0),
});

export function listCategories(
  calls: ConnectorCalls,
  app: ConversationApp,
  conversation: ConversationRow,
  filters: { idParent?: string | undefined; limit?: number | undefined; offset?: number | undefined },
): Promise<Category[]> {
  const { categories_url } = interactionUrl(app, 'product_list');
  return calls.list(
    app,
    categories_url,
    {
      idConnectorVersion: app.connectorVersionId,
      idWebsite: String(conversation.website_id),
      ...(filters.idParent !== undefined && { idParent: filters.idParent }),
      ...paging(filters.limit, filters.offset),
    },
    readCategory,
  );
}

export function listProducts(
  calls: ConnectorCalls,
  app: ConversationApp,
  conversation: ConversationRow,
  filters: {
    idCategory?: string | undefined;
    search?: string | undefined;
    limit?: number | undefined;
    offset?: number | undefined;
  },
): Promise<Product[]> {
  const { catalogue_url } = interactionUrl(app, 'product_list');
  return calls.list(
    app,
    catalogue_url,
    {
      idConnectorVersion: app.connectorVersionId,
      idWebsite: String(conversation.website_id),
      ...(filters.idCategory !== undefined && { idCategory: filters.idCategory }),
      ...(filters.search !== undefined &&
        filters.search.trim() !== '' && { 'search[default][contains]': filters.search.trim() }),
      ...paging(filters.limit, filters.offset),
    },
    readProduct,
  );
}

export async function visitorProfile(
  db: Kysely<Database>,
  calls: ConnectorCalls,
  app: ConversationApp,
  conversation: ConversationRow,
  operatorLocale: string,
): Promise<ProfileField[]> {
  const { url } = interactionUrl(app, 'visitor_profile');
  const visitor = await db
    .selectFrom('visitor')
    .select(['unique_id', 'external_id', 'email'])
    .where('id', '=', conversation.visitor_id)
    .executeTakeFirstOrThrow();
  return calls.list(
    app,
    url,
    {
      idConnectorVersion: app.connectorVersionId,
      idWebsite: String(conversation.website_id),
      idVisitorUnique: visitor.unique_id,
      ...(visitor.email !== null && { emailVisitor: visitor.email }),
      ...(visitor.external_id !== null && { idVisitorExternal: visitor.external_id }),
      operatorLocale,
    },
    readProfileField,
  );
}

export function closingForm(
  calls: ConnectorCalls,
  app: ConversationApp,
  conversation: ConversationRow,
  operatorLocale: string,
): Promise<ClosingField[]> {
  const { url } = interactionUrl(app, 'conversation_closing');
  return calls.list(
    app,
    url,
    { idConnectorVersion: app.connectorVersionId, idWebsite: String(conversation.website_id), operatorLocale },
    readClosingField,
  );
}

/**
 * Checks an operator's answers to a closing form: each answer names a field; a required text field that is shown (no
 * parent, or its parent checkbox checked) must be filled. Answers of fields whose parent is
 * unchecked are dropped. Returns the answers kept, as `{ id, label, value }` in the form's order.
 */
export function checkClosingAnswers(
  form: readonly ClosingField[],
  answers: Record<string, string | boolean>,
): Array<{ id: string; label: string; value: string }> {
  const byId = new Map(form.map((field) => [field.id, field]));
  const unknown = Object.keys(answers).find((id) => !byId.has(id));
  if (unknown !== undefined)
    throw fieldInvalid(`closing[answers][${unknown}]`, `The closing form has no field '${unknown}'.`);
  const checked = (id: string) => {
    const value = answers[id];
    return value === true || value === 'true' || value === '1';
  };
  // Shown when every ancestor checkbox is checked; a parent the form lacks counts as none, and a loop of parents
  // (a connector's mistake) ends after the form's length.
  const shown = (field: ClosingField, depth = 0): boolean => {
    if (field.idParent === null) return true;
    const parent = byId.get(field.idParent);
    if (parent === undefined || depth > form.length) return parent === undefined;
    return checked(parent.id) && shown(parent, depth + 1);
  };
  const kept: Array<{ id: string; label: string; value: string }> = [];
  for (const field of form) {
    if (!shown(field)) continue;
    const raw = answers[field.id];
    const value = field.fieldType === 'CHECKBOX' ? (checked(field.id) ? 'true' : 'false') : String(raw ?? '').trim();
    // A checkbox always has an answer (checked or not); a required text must be filled.
    if (field.isRequired && field.fieldType === 'TEXT' && value === '')
      throw fieldInvalid(
        `closing[answers][${field.id}]`,
        `'${field.label}' is required before the conversation is closed.`,
      );
    if (value.length > 2000) throw fieldInvalid(`closing[answers][${field.id}]`, 'Expected at most 2000 characters.');
    kept.push({ id: field.id, label: field.label, value });
  }
  return kept;
}
