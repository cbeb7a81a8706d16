// English and French words of the side panel's contact card, which is in the agent view's first load: only its few
// words here; its form's (loaded on demand, on Edit) and the page's are in strings.ts.
import { useI18n } from '../i18n';

const en = {
  anonymous: 'Anonymous visitor',
  'field.name': 'Name',
  'field.email': 'Email',
  'field.phone': 'Phone',
  'form.edit': 'Edit contact',
  'form.saved': 'Contact saved.',
  'form.nothing': 'Nothing changed.',
  'card.open': 'Open in contacts',
  loading: 'Loading…',
} as const;

type CardKey = keyof typeof en;

const fr: Record<CardKey, string> = {
  anonymous: 'Visiteur anonyme',
  'field.name': 'Nom',
  'field.email': 'E-mail',
  'field.phone': 'Téléphone',
  'form.edit': 'Modifier le contact',
  'form.saved': 'Contact enregistré.',
  'form.nothing': 'Rien n’a changé.',
  'card.open': 'Ouvrir dans les contacts',
  loading: 'Chargement…',
};

export function useCardText(): (key: CardKey) => string {
  const { language } = useI18n();
  const dictionary = language === 'fr' ? fr : en;
  return (key) => dictionary[key];
}
