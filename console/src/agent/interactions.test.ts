// The closing form of an installed app as the operator fills it (children under their checked checkbox, required
// fields checked before the server is asked), the prices shown, and the cards read from history entries.
import { describe, expect, it } from 'vitest';
import {
  appWith,
  type ClosingField,
  closingAnswersToSend,
  closingFieldOf,
  httpUrl,
  interactionWords,
  missingRequired,
  priceDisplay,
  productOf,
  visibleClosingFields,
} from './interactions';

// The fake connector's form (seed 003): a required checkbox with a required and an optional child.
const FORM: ClosingField[] = [
  { id: '1', idParent: null, label: 'create a salesforce ticket', fieldType: 'CHECKBOX', isRequired: true },
  { id: '2', idParent: '1', label: 'Brand name', fieldType: 'TEXT', isRequired: true },
  { id: '3', idParent: '1', label: 'Color', fieldType: 'TEXT', isRequired: false },
  { id: '4', idParent: '3', label: 'Orphan under a text', fieldType: 'TEXT', isRequired: true },
];

describe('the closing form', () => {
  it('shows children only under their checked checkbox', () => {
    expect(visibleClosingFields(FORM, {}).map((field) => field.id)).toEqual(['1']);
    expect(visibleClosingFields(FORM, { 1: false }).map((field) => field.id)).toEqual(['1']);
    // A child of a text field is never shown (only checkboxes open their children).
    expect(visibleClosingFields(FORM, { 1: true, 3: 'red' }).map((field) => field.id)).toEqual(['1', '2', '3']);
  });

  it('asks for the shown required fields, the checked box, then its required child', () => {
    expect(missingRequired(FORM, {})).toEqual(['1']);
    expect(missingRequired(FORM, { 1: true })).toEqual(['2']);
    expect(missingRequired(FORM, { 1: true, 2: '   ' })).toEqual(['2']);
    expect(missingRequired(FORM, { 1: true, 2: 'Cyclo' })).toEqual([]);
  });

  it('sends the shown answers only, trimmed, checkboxes as booleans', () => {
    expect(closingAnswersToSend(FORM, { 1: true, 2: ' Cyclo ', 3: '' })).toEqual({ 1: true, 2: 'Cyclo' });
    expect(closingAnswersToSend(FORM, { 1: false, 2: 'kept from before' })).toEqual({ 1: false });
  });

  it("reads the field a server's refusal names", () => {
    expect(closingFieldOf('closing[answers][2]')).toBe('2');
    expect(closingFieldOf('installation_id')).toBeNull();
    expect(closingFieldOf(null)).toBeNull();
  });
});

describe('products', () => {
  it('shows a promotion (else a special price) with the catalogue price struck', () => {
    expect(priceDisplay({ priceCatalog: '499 €', pricePromotion: '449 €', priceSpecial: null })).toEqual({
      price: '449 €',
      was: '499 €',
    });
    expect(priceDisplay({ priceCatalog: '499 €', pricePromotion: null, priceSpecial: '470 €' })).toEqual({
      price: '470 €',
      was: '499 €',
    });
    expect(priceDisplay({ priceCatalog: '59 €', pricePromotion: '', priceSpecial: null })).toEqual({
      price: '59 €',
      was: null,
    });
  });

  it('links and shows images over http(s) only', () => {
    expect(httpUrl('https://shop.example/velo')).toBe('https://shop.example/velo');
    expect(httpUrl('javascript:alert(1)')).toBeNull();
    expect(httpUrl('data:text/html,<b>x</b>')).toBeNull();
    expect(httpUrl('/relative')).toBeNull();
  });

  it("reads a history entry's card, and none without an http(s) product page", () => {
    const product = {
      id: '1001',
      title: 'Vélo urbain Lyon',
      productUrl: 'https://shop.example/velo-lyon',
      imageUrl: 'https://shop.example/img/velo-lyon.jpg',
      available: true,
      priceCatalog: '499 €',
      pricePromotion: '449 €',
    };
    expect(productOf({ product })).toMatchObject({ title: 'Vélo urbain Lyon', available: true, priceSpecial: null });
    expect(productOf({ product: { ...product, productUrl: 'javascript:alert(1)' } })).toBeNull();
    expect(productOf({ media_id: 3 })).toBeNull();
    expect(productOf(undefined)).toBeNull();
  });

  it('finds the app offering an interaction', () => {
    const apps = [
      { installation_id: 1, app_id: 1, name: 'CRM', interactions: ['visitor_profile'] },
      { installation_id: 2, app_id: 2, name: 'Shop', interactions: ['product_list', 'conversation_closing'] },
    ];
    expect(appWith(apps, 'product_list')?.name).toBe('Shop');
    expect(appWith(apps, 'visitor_profile')?.name).toBe('CRM');
    expect(appWith([], 'product_list')).toBeNull();
    expect(appWith(null, 'product_list')).toBeNull();
  });

  it('speaks French and English, app names as plain text', () => {
    expect(interactionWords('fr')('productsTitle', { app: 'Cyclo' })).toBe('Produits de Cyclo');
    expect(interactionWords('en')('profile', { app: '<b>X</b>' })).toBe('Profile in <b>X</b>');
  });
});
