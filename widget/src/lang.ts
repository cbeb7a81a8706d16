// The language rule shared by the loader and the iframe: data-lang when supported, else the browser's, else English.

export type Lang = 'en' | 'fr';

/** The language to use: `requested` (data-lang) when it names a supported one, else the first supported browser language, else English. */
export function pickLang(requested: string | null | undefined, browser: readonly string[]): Lang {
  for (const candidate of [requested ?? '', ...browser]) {
    const base = candidate.toLowerCase().split('-')[0];
    if (base === 'fr' || base === 'en') return base;
  }
  return 'en';
}
