// English and French: the language rule, and both dictionaries carrying the same words and placeholders.
import { describe, expect, it } from 'vitest';
import { allWords, pickLang, translator } from './i18n';

describe('pickLang', () => {
  it('prefers data-lang, then the browser languages, then English', () => {
    expect(pickLang('fr', ['en-US'])).toBe('fr');
    expect(pickLang('FR-ca', [])).toBe('fr');
    expect(pickLang(null, ['de-DE', 'fr-FR', 'en'])).toBe('fr');
    expect(pickLang('de', ['en-GB'])).toBe('en');
    expect(pickLang(undefined, ['es'])).toBe('en');
  });
});

describe('translator', () => {
  it('fills placeholders with plain text', () => {
    expect(translator('en')('queued', { position: 3 })).toBe('You are number 3 in line.');
    expect(translator('fr')('typing', { name: '<b>Ada</b>' })).toBe('<b>Ada</b> écrit…');
    expect(translator('fr')('wait')).toBe('Attente estimée : environ {minutes} min.');
  });

  it('has every word in both languages, with the same placeholders', () => {
    const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((match) => match[1]).sort();
    for (const key of Object.keys(allWords.en) as (keyof typeof allWords.en)[]) {
      expect(allWords.fr[key], key).toBeTruthy();
      expect(placeholders(allWords.fr[key]), key).toEqual(placeholders(allWords.en[key]));
    }
  });
});
