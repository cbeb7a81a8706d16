// A product card sent by an operator (data.product, issue 21) reaches the visitor's widget in the entry frame, reduced to
// what the card shows; operators keep the whole details, and a visitor's own message cannot smuggle a card in.
import { describe, expect, it } from 'vitest';
import { MESSAGE_KIND } from '../db/schema.js';
import { entryFrame } from './frames.js';

const product = {
  id: '1001',
  title: 'Vélo urbain Lyon',
  productUrl: 'https://shop.example/velo-lyon',
  imageUrl: 'https://shop.example/img/velo-lyon.jpg',
  available: true,
  brand: 'Cyclo',
  shortDescription: 'Léger',
  description: 'Un vélo de ville léger, 7 vitesses.',
  reference: 'CY-LYON',
  priceCatalog: '499 €',
  pricePromotion: '449 €',
  priceSpecial: null,
  installation_id: 7,
  app: 'Cyclo CRM',
};
const entry = (kind: (typeof MESSAGE_KIND)[keyof typeof MESSAGE_KIND], data: object) => ({
  seq: 3,
  kind,
  text: 'Vélo urbain Lyon — 449 €\nhttps://shop.example/velo-lyon',
  operatorId: 1,
  at: '2026-12-05T17:00:00.000Z',
  data: JSON.stringify(data),
  clientMessageId: null,
});

describe('a product card in entry frames', () => {
  it("gives the visitor the card's fields, without the installation and app", () => {
    const frame = entryFrame(9, entry(MESSAGE_KIND.operator, { product }), 'visitor');
    expect(frame.data).toEqual({
      product: {
        id: '1001',
        title: 'Vélo urbain Lyon',
        productUrl: 'https://shop.example/velo-lyon',
        imageUrl: 'https://shop.example/img/velo-lyon.jpg',
        available: true,
        brand: 'Cyclo',
        shortDescription: 'Léger',
        priceCatalog: '499 €',
        pricePromotion: '449 €',
        priceSpecial: null,
      },
    });
    expect(frame.text).toContain('449 €');
  });

  it('gives operators the whole details', () => {
    const frame = entryFrame(9, entry(MESSAGE_KIND.operator, { product }), 'operator');
    expect(frame.data).toEqual({ product });
  });

  it('shows no card to the visitor for other kinds of entries', () => {
    const frame = entryFrame(9, entry(MESSAGE_KIND.visitor, { product }), 'visitor');
    expect(frame.data).toBeUndefined();
  });
});
