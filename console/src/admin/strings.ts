// English and French strings of the operators' administration added after the first dictionary (websites, skills and
// group on the create form, the "no website" warnings); the French is typed against the English, so a missing
// translation does not compile.
import { useI18n } from '../i18n';

const en = {
  'operators.create': 'New operator',
  'operators.websitesHint': 'The websites whose chats this operator receives.',
  'operators.noWebsiteForm': 'With no website ticked, this operator receives no chat.',
  'operators.noWebsite': 'No website',
  'operators.noWebsiteTitle': 'On no website: receives no chat until a website is added.',
  'operators.availableWithoutWebsite':
    'Available but on no website, so receiving no chat: {names}. Edit them to add their websites.',
};

export type OperatorsKey = keyof typeof en;

const fr: Record<OperatorsKey, string> = {
  'operators.create': 'Nouvel opérateur',
  'operators.websitesHint': 'Les sites dont cet opérateur reçoit les conversations.',
  'operators.noWebsiteForm': 'Sans site coché, cet opérateur ne reçoit aucune conversation.',
  'operators.noWebsite': 'Aucun site',
  'operators.noWebsiteTitle': 'Sur aucun site : ne reçoit aucune conversation tant qu’un site n’est pas ajouté.',
  'operators.availableWithoutWebsite':
    'Disponibles mais sur aucun site, donc sans conversation : {names}. Modifiez-les pour ajouter leurs sites.',
};

export type OperatorsText = (key: OperatorsKey, values?: Record<string, string | number>) => string;

/** The operators' administration translator in the console's language; `{name}` placeholders come from `values`. */
export function useOperatorsText(): OperatorsText {
  const { language } = useI18n();
  const dictionary = language === 'fr' ? fr : en;
  return (key, values) =>
    dictionary[key].replace(/\{(\w+)\}/g, (whole, name: string) =>
      values !== undefined && name in values ? String(values[name]) : whole,
    );
}
