// A product an operator sent from an installed app (the entry's `data.product`, issue 21), read defensively and drawn as
// a card: image, title, availability, price, and a link opening the product page. Every text is a text node; only
// http(s) addresses are used, so a hostile catalogue cannot run script through a link or an image.
import type { WordKey } from './i18n';

export interface ProductCard {
  title: string;
  productUrl: string;
  imageUrl: string | null;
  available: boolean | null;
  price: string;
  /** The catalogue price, struck through beside a promotion or special price. */
  was: string | null;
}

type Translate = (key: WordKey, values?: Record<string, string | number>) => string;

const MAX_TEXT = 500;

/** The address as given if it is an absolute http(s) URL; null otherwise (javascript:, data:, relative…). */
export function httpUrl(value: unknown): string | null {
  if (typeof value !== 'string' || value.length > 2048) return null;
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
  } catch {
    return null;
  }
}

const words = (value: unknown): string | null =>
  typeof value === 'string' && value.trim() !== '' ? value.slice(0, MAX_TEXT) : null;

/** The card of an entry's `data.product`, or null when it is missing, untitled or has no http(s) product page. */
export function readProduct(value: unknown): ProductCard | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  const product = value as Record<string, unknown>;
  const title = words(product.title);
  const productUrl = httpUrl(product.productUrl);
  const catalogue = words(product.priceCatalog);
  if (title === null || productUrl === null) return null;
  const reduced = words(product.pricePromotion) ?? words(product.priceSpecial);
  return {
    title,
    productUrl,
    imageUrl: httpUrl(product.imageUrl),
    available: typeof product.available === 'boolean' ? product.available : null,
    price: reduced ?? catalogue ?? '',
    was: reduced !== null && catalogue !== null && reduced !== catalogue ? catalogue : null,
  };
}

type Make = <K extends keyof HTMLElementTagNameMap>(
  doc: Document,
  tag: K,
  attributes?: Record<string, string>,
  children?: (Node | string)[],
) => HTMLElementTagNameMap[K];

/** The card's DOM, built with `el` (text nodes only). */
export function productCard(doc: Document, el: Make, card: ProductCard, t: Translate): HTMLElement {
  const price = el(doc, 'p', { class: 'cz-price' }, [card.price]);
  if (card.was !== null) price.append(' ', el(doc, 's', {}, [card.was]));
  const parts: (Node | string)[] = [];
  if (card.imageUrl !== null)
    parts.push(el(doc, 'img', { class: 'cz-product-img', src: card.imageUrl, alt: '', loading: 'lazy' }));
  parts.push(el(doc, 'p', { class: 'cz-product-title' }, [card.title]));
  if (card.available !== null)
    parts.push(
      el(doc, 'p', { class: card.available ? 'cz-stock' : 'cz-stock cz-out' }, [
        t(card.available ? 'inStock' : 'outOfStock'),
      ]),
    );
  parts.push(
    price,
    el(doc, 'a', { class: 'cz-send cz-view', href: card.productUrl, target: '_blank', rel: 'noopener noreferrer' }, [
      t('viewProduct'),
    ]),
  );
  return el(doc, 'div', { class: 'cz-product' }, parts);
}
