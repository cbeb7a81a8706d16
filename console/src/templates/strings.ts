// English and French strings of the template pages, loaded with them (not in the first load's dictionary); the French
// is typed against the English, so a missing translation does not compile.
import { useI18n } from '../i18n';

const en = {
  'templates.title': 'Message templates',
  'templates.intro':
    'Reusable messages with {{variables}}, checked for WhatsApp, RCS and SMS. A template sent to WhatsApp is reviewed by Meta first.',
  'templates.campaigns': 'Campaigns',
  'templates.new': 'New template',
  'templates.none': 'No template yet.',
  'templates.back': 'All templates',
  'templates.name': 'Name (lower case, digits and _)',
  'templates.nameColumn': 'Name',
  'templates.language': 'Language (fr, en_US…)',
  'templates.languageColumn': 'Language',
  'templates.category': 'Category',
  'templates.channels': 'Channels',
  'templates.review': 'WhatsApp review',
  'templates.updated': 'Updated',
  'templates.body': 'Message (use {{name}} for a variable)',
  'templates.header': 'Header text (optional)',
  'templates.footer': 'Footer (optional)',
  'templates.smsText': 'SMS text instead (optional; else the message, header, footer and links)',
  'templates.buttons': 'Buttons',
  'templates.button.type': 'Kind',
  'templates.button.text': 'Button text',
  'templates.button.url': 'Link (https://…)',
  'templates.button.phone': 'Number to call (+33…)',
  'templates.button.remove': 'Remove',
  'templates.button.add': 'Add a button',
  'button.reply': 'Quick reply',
  'button.url': 'Link',
  'button.dial': 'Call',
  'templates.whatsapp': 'Submit to WhatsApp with',
  'templates.whatsapp.none': 'Not on WhatsApp (RCS and SMS only)',
  'templates.waba': 'WhatsApp Business Account id',
  'templates.kept': 'This template also has content this form does not edit (a media header or RCS cards): it is kept.',
  'templates.create': 'Create the template',
  'templates.save': 'Save',
  'templates.saving': 'Saving…',
  'templates.saved': 'Saved.',
  'templates.delete': 'Delete the template',
  'templates.delete.confirm':
    'Delete the template “{name}”? Sends not left yet that use it will fail, and WhatsApp deletes it too.',
  'templates.preview': 'Preview',
  'templates.values': 'Sample values',
  'templates.values.none': 'No variable: the message is the same for everyone.',
  'templates.preview.server': 'As the server renders the saved template.',
  'templates.preview.draft': 'As you type (save to check it with the server).',
  'templates.preview.waiting': 'Fill every sample value to have the server render it.',
  'templates.preview.empty': 'Type the message to see it here.',
  'templates.segments': '{segments} SMS ({units} characters, {encoding})',
  'templates.reason': 'Meta’s reason: {reason}',
  'channel.whatsapp': 'WhatsApp',
  'channel.rcs': 'RCS',
  'channel.sms': 'SMS',
  'status.none': '—',
  'status.pending': 'In review',
  'status.approved': 'Approved',
  'status.rejected': 'Rejected',
  'status.paused': 'Paused',
  'status.disabled': 'Disabled',
};

export type TemplatesKey = keyof typeof en;

const fr: Record<TemplatesKey, string> = {
  'templates.title': 'Modèles de messages',
  'templates.intro':
    'Des messages réutilisables avec des {{variables}}, vérifiés pour WhatsApp, RCS et SMS. Un modèle envoyé à WhatsApp est d’abord validé par Meta.',
  'templates.campaigns': 'Campagnes',
  'templates.new': 'Nouveau modèle',
  'templates.none': 'Aucun modèle pour l’instant.',
  'templates.back': 'Tous les modèles',
  'templates.name': 'Nom (minuscules, chiffres et _)',
  'templates.nameColumn': 'Nom',
  'templates.language': 'Langue (fr, en_US…)',
  'templates.languageColumn': 'Langue',
  'templates.category': 'Catégorie',
  'templates.channels': 'Canaux',
  'templates.review': 'Validation WhatsApp',
  'templates.updated': 'Modifié le',
  'templates.body': 'Message ({{nom}} pour une variable)',
  'templates.header': 'Texte d’en-tête (facultatif)',
  'templates.footer': 'Pied de message (facultatif)',
  'templates.smsText': 'Texte SMS à la place (facultatif ; sinon le message, l’en-tête, le pied et les liens)',
  'templates.buttons': 'Boutons',
  'templates.button.type': 'Type',
  'templates.button.text': 'Texte du bouton',
  'templates.button.url': 'Lien (https://…)',
  'templates.button.phone': 'Numéro à appeler (+33…)',
  'templates.button.remove': 'Retirer',
  'templates.button.add': 'Ajouter un bouton',
  'button.reply': 'Réponse rapide',
  'button.url': 'Lien',
  'button.dial': 'Appel',
  'templates.whatsapp': 'Soumettre à WhatsApp avec',
  'templates.whatsapp.none': 'Pas sur WhatsApp (RCS et SMS seulement)',
  'templates.waba': 'Identifiant du compte WhatsApp Business',
  'templates.kept':
    'Ce modèle a aussi un contenu que ce formulaire ne modifie pas (un en-tête média ou des cartes RCS) : il est conservé.',
  'templates.create': 'Créer le modèle',
  'templates.save': 'Enregistrer',
  'templates.saving': 'Enregistrement…',
  'templates.saved': 'Enregistré.',
  'templates.delete': 'Supprimer le modèle',
  'templates.delete.confirm':
    'Supprimer le modèle « {name} » ? Les envois pas encore partis qui l’utilisent échoueront, et WhatsApp le supprime aussi.',
  'templates.preview': 'Aperçu',
  'templates.values': 'Valeurs d’exemple',
  'templates.values.none': 'Aucune variable : le message est le même pour tous.',
  'templates.preview.server': 'Tel que le serveur rend le modèle enregistré.',
  'templates.preview.draft': 'Au fil de la saisie (enregistrez pour le vérifier avec le serveur).',
  'templates.preview.waiting': 'Remplissez chaque valeur d’exemple pour que le serveur le rende.',
  'templates.preview.empty': 'Saisissez le message pour le voir ici.',
  'templates.segments': '{segments} SMS ({units} caractères, {encoding})',
  'templates.reason': 'Motif de Meta : {reason}',
  'channel.whatsapp': 'WhatsApp',
  'channel.rcs': 'RCS',
  'channel.sms': 'SMS',
  'status.none': '—',
  'status.pending': 'En validation',
  'status.approved': 'Approuvé',
  'status.rejected': 'Refusé',
  'status.paused': 'Suspendu',
  'status.disabled': 'Désactivé',
};

export type TemplatesText = (key: TemplatesKey, values?: Record<string, string | number>) => string;

/** The template pages' translator in the console's language; `{name}` placeholders are filled from `values`. */
export function useTemplatesText(): TemplatesText {
  const { language } = useI18n();
  const dictionary = language === 'fr' ? fr : en;
  return (key, values) =>
    dictionary[key].replace(/\{(\w+)\}/g, (whole, name: string) =>
      values !== undefined && name in values ? String(values[name]) : whole,
    );
}

/** A review status's words; an unknown one (a newer server) shows as it is named. */
export function statusWords(text: TemplatesText, status: string): string {
  const key = `status.${status}` as TemplatesKey;
  return key in en ? text(key) : status;
}
