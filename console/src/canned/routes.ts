// The canned responses page's path under /admin/ (in the first load, so the shell routes to the page it loads on
// demand), and its navigation label, kept here so the first load's dictionary does not grow for two words.

/** True for the canned responses page's path (without `/admin/`). */
export const isCannedPath = (rest: string): boolean => rest === 'canned-responses';

export const CANNED_PATH = '/admin/canned-responses';

/** The main navigation's link to the page. */
export const CANNED_NAV_LABEL = { en: 'Canned responses', fr: 'Réponses types' } as const;
