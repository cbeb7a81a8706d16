// The contacts page's paths under /admin/ (in the first load, so the shell routes to the page it loads on demand), and
// its navigation label, kept here so the first load's dictionary does not grow for one word.

/** `contacts` → the list, `contacts/12` → contact 12 open; null for any other path (without `/admin/`). */
export function contactsRouteOf(rest: string): { contactId: number | null } | null {
  if (rest === 'contacts') return { contactId: null };
  const match = /^contacts\/(\d+)$/.exec(rest);
  return match?.[1] ? { contactId: Number(match[1]) } : null;
}

export const CONTACTS_PATH = '/admin/contacts';

export const contactPath = (id: number): string => `${CONTACTS_PATH}/${id}`;

/** The main navigation's link to the page. */
export const CONTACTS_NAV_LABEL = { en: 'Contacts', fr: 'Contacts' } as const;
