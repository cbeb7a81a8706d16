// A product card from an operator: read defensively (http(s) addresses only, prices shown as the visitor expects) and
// drawn from text nodes only, with a link that opens the product page in a new tab.
import { describe, expect, it } from 'vitest';
import { translator } from './i18n';
import { httpUrl, productCard, readProduct } from './product';
import { readEntry } from './state';
import { el } from './view';

const product = {
  id: '1001',
  title: '<img src=x onerror=alert(1)>Vélo urbain Lyon',
  productUrl: 'https://shop.example/velo-lyon',
  imageUrl: 'https://shop.example/img/velo-lyon.jpg',
  available: true,
  priceCatalog: '499 €',
  pricePromotion: '449 €',
  priceSpecial: null,
};

/** A minimal document: elements record attributes and children; innerHTML is refused. */
class Node {
  readonly attributes = new Map<string, string>();
  readonly children: (Node | string)[] = [];
  constructor(readonly tagName: string) {}
  setAttribute(name: string, value: string) {
    this.attributes.set(name, value);
  }
  append(...nodes: (Node | string)[]) {
    this.children.push(...nodes);
  }
  get textContent(): string {
    return this.children.map((child) => (typeof child === 'string' ? child : child.textContent)).join('');
  }
  set innerHTML(_html: string) {
    throw new Error('innerHTML must never be used for widget content');
  }
  find(tag: string): Node | undefined {
    for (const child of this.children) {
      if (typeof child === 'string') continue;
      if (child.tagName === tag) return child;
      const inner = child.find(tag);
      if (inner) return inner;
    }
    return undefined;
  }
}
const fakeDocument = {
  createElement: (tag: string) => new Node(tag),
  createTextNode: (data: string) => data,
} as unknown as Document;

describe('readProduct', () => {
  it('shows the promotion price with the catalogue one struck, and the availability', () => {
    expect(readProduct(product)).toEqual({
      title: product.title,
      productUrl: 'https://shop.example/velo-lyon',
      imageUrl: 'https://shop.example/img/velo-lyon.jpg',
      available: true,
      price: '449 €',
      was: '499 €',
    });
    expect(readProduct({ ...product, pricePromotion: null, available: false })).toMatchObject({
      price: '499 €',
      was: null,
      available: false,
    });
  });

  it('refuses a card without an http(s) product page, and drops an image that is not http(s)', () => {
    expect(readProduct({ ...product, productUrl: 'javascript:alert(1)' })).toBeNull();
    expect(readProduct({ ...product, title: '' })).toBeNull();
    expect(readProduct('a string')).toBeNull();
    expect(readProduct({ ...product, imageUrl: 'data:image/svg+xml,<svg onload=alert(1)>' })?.imageUrl).toBeNull();
    expect(httpUrl('//shop.example/x')).toBeNull();
    expect(httpUrl('http://shop.example/x')).toBe('http://shop.example/x');
  });

  it("reads the card from an operator's entry frame only", () => {
    const frame = { type: 'entry', seq: 4, kind: 'operator', text: 'fallback', data: { product } };
    expect(readEntry(frame)?.product?.title).toBe(product.title);
    expect(readEntry({ ...frame, kind: 'visitor' })?.product).toBeUndefined();
  });
});

describe('productCard', () => {
  it('draws text nodes and a link opening the product page in a new tab', () => {
    const card = readProduct(product);
    if (card === null) throw new Error('expected a card');
    const node = productCard(fakeDocument, el, card, translator('en')) as unknown as Node;
    expect(node.textContent).toBe(`${product.title}In stock449 € 499 €View product`);
    const link = node.find('a');
    expect(link?.attributes.get('href')).toBe('https://shop.example/velo-lyon');
    expect(link?.attributes.get('target')).toBe('_blank');
    expect(link?.attributes.get('rel')).toBe('noopener noreferrer');
    expect(node.find('img')?.attributes.get('src')).toBe('https://shop.example/img/velo-lyon.jpg');
    expect(node.find('s')?.textContent).toBe('499 €');
  });
});
