// English and French strings of the composer's canned responses list (in the agent view's first load, so only its
// few words; the page's are in page-strings.ts, loaded with it). The French is typed against the English, so a missing
// translation does not compile.
import { useI18n } from '../i18n';

const en = {
  'picker.label': 'Canned responses',
  'picker.empty': 'No canned response for “/{query}”.',
  'picker.loading': 'Loading canned responses…',
  'picker.hint': '↑ ↓ to choose, Enter to insert, Esc to close',
  'picker.shared': 'shared',
  'picker.failed': 'Canned responses are not available: {message}',
};

type PickerKey = keyof typeof en;

const fr: Record<PickerKey, string> = {
  'picker.label': 'Réponses types',
  'picker.empty': 'Aucune réponse type pour « /{query} ».',
  'picker.loading': 'Chargement des réponses types…',
  'picker.hint': '↑ ↓ pour choisir, Entrée pour insérer, Échap pour fermer',
  'picker.shared': 'partagée',
  'picker.failed': 'Les réponses types ne sont pas disponibles : {message}',
};

export type PickerText = (key: PickerKey, values?: Record<string, string | number>) => string;

/** The composer list's translator in the console's language; `{name}` placeholders are filled from `values`. */
export function useCannedText(): PickerText {
  const { language } = useI18n();
  const dictionary = language === 'fr' ? fr : en;
  return (key, values) =>
    dictionary[key].replace(/\{(\w+)\}/g, (whole, name: string) =>
      values !== undefined && name in values ? String(values[name]) : whole,
    );
}
