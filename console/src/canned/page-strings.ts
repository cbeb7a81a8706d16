// English and French strings of the canned responses page, loaded with it (not in the first load). The French is typed
// against the English, so a missing translation does not compile.
import { useI18n } from '../i18n';

const en = {
  'canned.title': 'Canned responses',
  'canned.intro':
    'Answers you send often: type / and their shortcut in the reply box. Variables are filled from the conversation: {variables}.',
  'canned.search': 'Search',
  'canned.scopeFilter': 'Show',
  'canned.scope.all': 'All',
  'canned.scope.shared': 'Shared',
  'canned.scope.personal': 'Personal',
  'canned.kind.shared': 'Shared',
  'canned.kind.personal': 'Personal',
  'canned.none': 'No canned response yet.',
  'canned.noMatch': 'No canned response matches.',
  'canned.new': 'New canned response',
  'canned.edit': 'Edit',
  'canned.delete': 'Delete',
  'canned.confirmDelete': 'Delete the canned response /{shortcut}?',
  'canned.deleted': 'Canned response /{shortcut} deleted.',
  'canned.saved': 'Canned response /{shortcut} saved.',
  'canned.shortcut': 'Shortcut (letters, digits, - and _)',
  'canned.shortcutColumn': 'Shortcut',
  'canned.titleField': 'Title',
  'canned.body': 'Message',
  'canned.scope': 'Who can use it',
  'canned.sharedHint': 'Shared: every operator (admins and managers manage it)',
  'canned.personalHint': 'Personal: only me',
  'canned.website': 'Website',
  'canned.allWebsites': 'Every website',
  'canned.attachments': 'Attachment links (one per line, https://…)',
  'canned.save': 'Save',
  'canned.create': 'Create',
  'canned.cancel': 'Cancel',
  'canned.badShortcut': 'Use letters, digits, - and _ only, without spaces (at most 40).',
  'canned.badVariable': 'Unknown variable {{{name}}}. Use {variables}.',
  'canned.readOnly': 'Shared: managed by admins',
};

type PageKey = keyof typeof en;

const fr: Record<PageKey, string> = {
  'canned.title': 'Réponses types',
  'canned.intro':
    'Les réponses que vous envoyez souvent : tapez / et leur raccourci dans la zone de réponse. Les variables sont remplies depuis la conversation : {variables}.',
  'canned.search': 'Rechercher',
  'canned.scopeFilter': 'Afficher',
  'canned.scope.all': 'Toutes',
  'canned.scope.shared': 'Partagées',
  'canned.scope.personal': 'Personnelles',
  'canned.kind.shared': 'Partagée',
  'canned.kind.personal': 'Personnelle',
  'canned.none': 'Aucune réponse type pour l’instant.',
  'canned.noMatch': 'Aucune réponse type ne correspond.',
  'canned.new': 'Nouvelle réponse type',
  'canned.edit': 'Modifier',
  'canned.delete': 'Supprimer',
  'canned.confirmDelete': 'Supprimer la réponse type /{shortcut} ?',
  'canned.deleted': 'Réponse type /{shortcut} supprimée.',
  'canned.saved': 'Réponse type /{shortcut} enregistrée.',
  'canned.shortcut': 'Raccourci (lettres, chiffres, - et _)',
  'canned.shortcutColumn': 'Raccourci',
  'canned.titleField': 'Titre',
  'canned.body': 'Message',
  'canned.scope': 'Qui peut l’utiliser',
  'canned.sharedHint': 'Partagée : tous les opérateurs (gérée par les administrateurs et managers)',
  'canned.personalHint': 'Personnelle : moi seulement',
  'canned.website': 'Site',
  'canned.allWebsites': 'Tous les sites',
  'canned.attachments': 'Liens des pièces jointes (un par ligne, https://…)',
  'canned.save': 'Enregistrer',
  'canned.create': 'Créer',
  'canned.cancel': 'Annuler',
  'canned.badShortcut': 'Lettres, chiffres, - et _ uniquement, sans espace (40 au plus).',
  'canned.badVariable': 'Variable inconnue {{{name}}}. Utilisez {variables}.',
  'canned.readOnly': 'Partagée : gérée par les administrateurs',
};

export type PageText = (key: PageKey, values?: Record<string, string | number>) => string;

/** The canned responses page's translator in the console's language; `{name}` placeholders are filled from `values`. */
export function usePageText(): PageText {
  const { language } = useI18n();
  const dictionary = language === 'fr' ? fr : en;
  return (key, values) =>
    dictionary[key].replace(/\{(\w+)\}/g, (whole, name: string) =>
      values !== undefined && name in values ? String(values[name]) : whole,
    );
}
