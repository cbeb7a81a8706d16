// The agent console's interactions with installed apps (issue 21, seed 003): the apps of a conversation's website, their
// product list, visitor profile and closing form, sending a product and closing with the form answered. Pure logic
// (the closing form's visible fields and required check, prices, safe links) beside the REST calls (the session's SDK
// client).
import { type Api, dataOf, unwrap } from '../api';
import type { Language } from '../i18n';

export type Interaction = 'product_list' | 'visitor_profile' | 'conversation_closing';

/** An app installed for the conversation's website (GET /conversation/{id}/app). */
export interface ConversationApp {
  installation_id: number;
  app_id: number;
  name: string;
  interactions: string[];
}

export interface Category {
  id: string;
  idParent: string | null;
  label: string;
  products: string[] | null;
  productsCount: number;
}

/** A product as the connector answers it (seed 003). */
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

export type ClosingAnswers = Record<string, string | boolean>;

// ——— Pure logic ———

/** The first app of the list offering an interaction. */
export function appWith(apps: readonly ConversationApp[] | null, interaction: Interaction): ConversationApp | null {
  return apps?.find((app) => app.interactions.includes(interaction)) ?? null;
}

/** Shown fields: those without a parent, and children of a checked checkbox that is itself shown. */
export function visibleClosingFields(form: readonly ClosingField[], answers: ClosingAnswers): ClosingField[] {
  const byId = new Map(form.map((field) => [field.id, field]));
  const shown = (field: ClosingField, depth = 0): boolean => {
    if (field.idParent === null || field.idParent === undefined) return true;
    const parent = byId.get(field.idParent);
    if (parent === undefined || depth > form.length) return false;
    return parent.fieldType === 'CHECKBOX' && answers[parent.id] === true && shown(parent, depth + 1);
  };
  return form.filter((field) => shown(field));
}

/** Shown required fields left unanswered (a blank text, an unchecked box), in the form's order. */
export function missingRequired(form: readonly ClosingField[], answers: ClosingAnswers): string[] {
  return visibleClosingFields(form, answers)
    .filter((field) => {
      if (!field.isRequired) return false;
      const answer = answers[field.id];
      return field.fieldType === 'CHECKBOX' ? answer !== true : typeof answer !== 'string' || answer.trim() === '';
    })
    .map((field) => field.id);
}

/** The answers sent: shown fields only (a hidden child's text is dropped), checkboxes as booleans, texts trimmed. */
export function closingAnswersToSend(form: readonly ClosingField[], answers: ClosingAnswers): ClosingAnswers {
  const sent: ClosingAnswers = {};
  for (const field of visibleClosingFields(form, answers)) {
    const answer = answers[field.id];
    if (field.fieldType === 'CHECKBOX') sent[field.id] = answer === true;
    else if (typeof answer === 'string' && answer.trim() !== '') sent[field.id] = answer.trim();
  }
  return sent;
}

/** The closing field a server answer names (`closing[answers][id]`), if any. */
export function closingFieldOf(field: string | null): string | null {
  const match = field === null ? null : /^closing\[answers\]\[(.+)\]$/.exec(field);
  return match?.[1] ?? null;
}

/** The price shown: a promotion (else a special price) with the catalogue price struck beside it; else the catalogue's. */
export function priceDisplay(product: Pick<Product, 'priceCatalog' | 'pricePromotion' | 'priceSpecial'>): {
  price: string;
  was: string | null;
} {
  const blank = (value: string | null | undefined) => (value ?? '').trim() === '';
  const reduced = !blank(product.pricePromotion)
    ? product.pricePromotion
    : !blank(product.priceSpecial)
      ? product.priceSpecial
      : null;
  if (reduced === null || reduced === undefined) return { price: product.priceCatalog, was: null };
  return {
    price: reduced,
    was: !blank(product.priceCatalog) && reduced !== product.priceCatalog ? product.priceCatalog : null,
  };
}

/** The address if it is an absolute http(s) URL, else null: links and images never take javascript: or data:. */
export function httpUrl(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
  } catch {
    return null;
  }
}

/** The product card of a history entry's data (`data.product`), or null. */
export function productOf(data: Record<string, unknown> | undefined): Product | null {
  const value = data?.product;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  const product = value as Partial<Product>;
  if (typeof product.title !== 'string' || httpUrl(product.productUrl) === null) return null;
  return {
    id: String(product.id ?? ''),
    title: product.title,
    productUrl: product.productUrl as string,
    brand: product.brand ?? null,
    description: product.description ?? '',
    shortDescription: product.shortDescription ?? null,
    available: typeof product.available === 'boolean' ? product.available : null,
    imageUrl: product.imageUrl ?? '',
    reference: product.reference ?? null,
    priceCatalog: typeof product.priceCatalog === 'string' ? product.priceCatalog : '',
    pricePromotion: product.pricePromotion ?? null,
    priceSpecial: product.priceSpecial ?? null,
  };
}

// ——— REST calls ———

type Ids = { id: number; installationId: number };
const ids = (conversationId: number, installationId: number): Ids => ({ id: conversationId, installationId });

export const interactionsApi = {
  apps: (api: Api, conversationId: number): Promise<ConversationApp[]> =>
    dataOf(api.GET('/api/2/conversation/{id}/app', { params: { path: { id: conversationId } } })),
  categories: (
    api: Api,
    conversationId: number,
    installationId: number,
    idParent: string | null,
  ): Promise<Category[]> =>
    dataOf(
      api.GET('/api/2/conversation/{id}/app/{installationId}/category', {
        params: { path: ids(conversationId, installationId), query: idParent === null ? {} : { idParent } },
      }),
    ),
  products: (
    api: Api,
    conversationId: number,
    installationId: number,
    query: { idCategory?: string; search?: string; limit?: number; offset?: number },
  ): Promise<Product[]> =>
    dataOf(
      api.GET('/api/2/conversation/{id}/app/{installationId}/product', {
        params: { path: ids(conversationId, installationId), query },
      }),
    ),
  visitorProfile: (api: Api, conversationId: number, installationId: number): Promise<ProfileField[]> =>
    dataOf(
      api.GET('/api/2/conversation/{id}/app/{installationId}/visitor-profile', {
        params: { path: ids(conversationId, installationId) },
      }),
    ),
  closingForm: (api: Api, conversationId: number, installationId: number): Promise<ClosingField[]> =>
    dataOf(
      api.GET('/api/2/conversation/{id}/app/{installationId}/closing-form', {
        params: { path: ids(conversationId, installationId) },
      }),
    ),
  sendProduct: (api: Api, conversationId: number, installationId: number, product: Product): Promise<unknown> =>
    dataOf(
      api.POST('/api/2/conversation/{id}/product', {
        params: { path: { id: conversationId } },
        body: { installation_id: installationId, product },
      }),
    ),
  close: (api: Api, conversationId: number, installationId: number, answers: ClosingAnswers): Promise<unknown> =>
    unwrap(
      api.POST('/api/2/conversation/{id}/closing', {
        params: { path: { id: conversationId } },
        body: { installation_id: installationId, answers },
      }),
    ),
};

// ——— Words ———

const EN = {
  products: 'Products',
  productsTitle: 'Products of {app}',
  categories: 'Categories',
  back: 'Back',
  allCategories: 'All categories',
  search: 'Search products',
  noProducts: 'No products here.',
  more: 'More products',
  send: 'Send',
  sent: 'Sent',
  retry: 'Retry',
  available: 'In stock',
  unavailable: 'Out of stock',
  viewProduct: 'View product',
  profile: 'Profile in {app}',
  closingForm: 'Closing form of {app}',
  required: 'required',
  requiredMissing: 'This field is required.',
  productCard: 'Product sent',
  close: 'Close',
};
type Words = typeof EN;
const FR: Words = {
  products: 'Produits',
  productsTitle: 'Produits de {app}',
  categories: 'Catégories',
  back: 'Retour',
  allCategories: 'Toutes les catégories',
  search: 'Rechercher un produit',
  noProducts: 'Aucun produit ici.',
  more: 'Plus de produits',
  send: 'Envoyer',
  sent: 'Envoyé',
  retry: 'Réessayer',
  available: 'En stock',
  unavailable: 'En rupture',
  viewProduct: 'Voir le produit',
  profile: 'Profil dans {app}',
  closingForm: 'Formulaire de clôture de {app}',
  required: 'obligatoire',
  requiredMissing: 'Ce champ est obligatoire.',
  productCard: 'Produit envoyé',
  close: 'Fermer',
};

/** The interactions' words in the console's language; `{app}` is filled with plain text. */
export function interactionWords(language: Language): (key: keyof Words, values?: { app?: string }) => string {
  const words = language === 'fr' ? FR : EN;
  return (key, values) => words[key].replace('{app}', values?.app ?? '');
}
