// The Closed list's tag filter in English and French (a few words kept in the agent view's first load; the
// conversation details' strings load with them).
import { useI18n } from '../i18n';

const STRINGS = {
  en: { label: 'Filter by tag', all: 'All tags', archived: '{name} (archived)' },
  fr: { label: 'Filtrer par étiquette', all: 'Toutes les étiquettes', archived: '{name} (archivée)' },
} as const;

/** The tag filter's words in the console's language. */
export function useTagFilterText(): { label: string; all: string; archived: (name: string) => string } {
  const { language } = useI18n();
  const words = language === 'fr' ? STRINGS.fr : STRINGS.en;
  return { label: words.label, all: words.all, archived: (name) => words.archived.replace('{name}', name) };
}
