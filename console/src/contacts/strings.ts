// English and French strings of the contacts page and of the side panel's contact card. The French is typed against
// the English, so a missing translation does not compile.
import { useI18n } from '../i18n';

const en = {
  'page.title': 'Contacts',
  'page.intro': 'The people your team talks to, with their identities on the web, WhatsApp, SMS and RCS.',
  'search.label': 'Search contacts',
  'search.placeholder': 'Name, email or phone',
  'search.submit': 'Search',
  'list.label': 'Contacts found',
  'list.empty': 'No contact matches.',
  'list.count': '{count} contacts',
  'list.previous': 'Previous page',
  'list.next': 'Next page',
  'list.page': 'Page {page} of {pages}',
  anonymous: 'Anonymous visitor',
  'detail.empty': 'Choose a contact to see their details.',
  'detail.identities': 'Identities',
  'detail.conversations': 'Conversations',
  'detail.noConversation': 'No conversation yet.',
  'detail.openConversation': 'Open conversation #{id}',
  'detail.created': 'Known since {date}',
  'identity.web': 'Web visitor',
  'identity.whatsapp': 'WhatsApp',
  'identity.sms': 'SMS',
  'identity.rcs': 'RCS',
  'identity.chat': 'Chat',
  'identity.email': 'Email',
  'identity.phone': 'Phone',
  'field.name': 'Name',
  'field.firstname': 'First name',
  'field.lastname': 'Last name',
  'field.email': 'Email',
  'field.phone': 'Phone',
  'field.phoneHint': 'International format, such as +33612345678',
  'field.attributes': 'Custom attributes',
  'field.attributeKey': 'Attribute name',
  'field.attributeValue': 'Value of {key}',
  'field.addAttribute': 'Add an attribute',
  'field.removeAttribute': 'Remove {key}',
  'problem.email': 'Expected an email address, such as julie@shop.example.',
  'problem.phone': 'Expected a phone number in international format, such as +33612345678.',
  'form.edit': 'Edit contact',
  'form.save': 'Save',
  'form.cancel': 'Cancel',
  'form.saved': 'Contact saved.',
  'form.nothing': 'Nothing changed.',
  'card.open': 'Open in contacts',
  'merge.title': 'Merge another contact into this one',
  'merge.intro':
    'For one person known twice (on the web and on WhatsApp): the other contact’s identities and conversations move here; this contact’s details win, the other’s fill the blanks.',
  'merge.search': 'Find the contact to merge',
  'merge.choose': 'Merge {name}…',
  'merge.confirmTitle': 'Merge these contacts?',
  'merge.confirm':
    '{from} will be merged into {into}. Their identities and conversations move to {into}, and {from} disappears from the list. This cannot be undone.',
  'merge.do': 'Merge',
  'merge.done': '{from} was merged into this contact.',
  'merge.none': 'No other contact matches.',
} as const;

export type ContactsKey = keyof typeof en;

const fr: Record<ContactsKey, string> = {
  'page.title': 'Contacts',
  'page.intro': 'Les personnes à qui votre équipe parle, avec leurs identités sur le web, WhatsApp, SMS et RCS.',
  'search.label': 'Rechercher des contacts',
  'search.placeholder': 'Nom, e-mail ou téléphone',
  'search.submit': 'Rechercher',
  'list.label': 'Contacts trouvés',
  'list.empty': 'Aucun contact ne correspond.',
  'list.count': '{count} contacts',
  'list.previous': 'Page précédente',
  'list.next': 'Page suivante',
  'list.page': 'Page {page} sur {pages}',
  anonymous: 'Visiteur anonyme',
  'detail.empty': 'Choisissez un contact pour voir sa fiche.',
  'detail.identities': 'Identités',
  'detail.conversations': 'Conversations',
  'detail.noConversation': 'Aucune conversation pour l’instant.',
  'detail.openConversation': 'Ouvrir la conversation n° {id}',
  'detail.created': 'Connu depuis le {date}',
  'identity.web': 'Visiteur web',
  'identity.whatsapp': 'WhatsApp',
  'identity.sms': 'SMS',
  'identity.rcs': 'RCS',
  'identity.chat': 'Chat',
  'identity.email': 'E-mail',
  'identity.phone': 'Téléphone',
  'field.name': 'Nom',
  'field.firstname': 'Prénom',
  'field.lastname': 'Nom',
  'field.email': 'E-mail',
  'field.phone': 'Téléphone',
  'field.phoneHint': 'Format international, par exemple +33612345678',
  'field.attributes': 'Attributs personnalisés',
  'field.attributeKey': 'Nom de l’attribut',
  'field.attributeValue': 'Valeur de {key}',
  'field.addAttribute': 'Ajouter un attribut',
  'field.removeAttribute': 'Retirer {key}',
  'problem.email': 'Une adresse e-mail est attendue, par exemple julie@shop.example.',
  'problem.phone': 'Un numéro au format international est attendu, par exemple +33612345678.',
  'form.edit': 'Modifier le contact',
  'form.save': 'Enregistrer',
  'form.cancel': 'Annuler',
  'form.saved': 'Contact enregistré.',
  'form.nothing': 'Rien n’a changé.',
  'card.open': 'Ouvrir dans les contacts',
  'merge.title': 'Fusionner un autre contact avec celui-ci',
  'merge.intro':
    'Pour une même personne connue deux fois (sur le web et sur WhatsApp) : les identités et conversations de l’autre contact viennent ici ; les informations de ce contact priment, celles de l’autre complètent les vides.',
  'merge.search': 'Trouver le contact à fusionner',
  'merge.choose': 'Fusionner {name}…',
  'merge.confirmTitle': 'Fusionner ces contacts ?',
  'merge.confirm':
    '{from} sera fusionné avec {into}. Ses identités et conversations passent à {into}, et {from} disparaît de la liste. C’est définitif.',
  'merge.do': 'Fusionner',
  'merge.done': '{from} a été fusionné avec ce contact.',
  'merge.none': 'Aucun autre contact ne correspond.',
};

export type ContactsText = (key: ContactsKey, values?: Record<string, string | number>) => string;

/** The contacts translator in the console's language; `{name}` placeholders are filled from `values`. */
export function useContactsText(): ContactsText {
  const { language } = useI18n();
  const dictionary = language === 'fr' ? fr : en;
  return (key, values) =>
    dictionary[key].replace(/\{(\w+)\}/g, (whole, name: string) =>
      values !== undefined && name in values ? String(values[name]) : whole,
    );
}
