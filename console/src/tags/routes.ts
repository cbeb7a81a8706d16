// The tags page's path and navigation label, in the first load (the page and its strings load on demand).

/** Whether a console path (without `/admin/`) is the tags page. */
export const isTagsPath = (rest: string): boolean => rest === 'tags';

export const TAGS_NAV_LABEL = { en: 'Tags', fr: 'Étiquettes' } as const;
