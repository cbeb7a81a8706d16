// English and French strings of the tags page, loaded with it (not in the first load's dictionary); the French is typed
// against the English, so a missing translation does not compile.
import { useI18n } from '../i18n';

const en = {
  'tags.title': 'Tags',
  'tags.intro':
    'Operators tag conversations while they talk and when they close them. An archived tag is no longer offered, but stays on the conversations that have it and in the statistics.',
  'tags.new': 'New tag',
  'tags.name': 'Name',
  'tags.colour': 'Colour',
  'tags.colour.none': 'None',
  'tags.colour.custom': 'Other colour (#rrggbb)',
  'tags.create': 'Create the tag',
  'tags.none': 'No tag yet.',
  'tags.state': 'State',
  'tags.active': 'Offered',
  'tags.archivedState': 'Archived',
  'tags.actions': 'Actions',
  'tags.edit': 'Edit {name}',
  'tags.save': 'Save',
  'tags.cancel': 'Cancel',
  'tags.archive': 'Archive {name}',
  'tags.restore': 'Offer {name} again',
  'colour.green': 'Green',
  'colour.blue': 'Blue',
  'colour.purple': 'Purple',
  'colour.pink': 'Pink',
  'colour.red': 'Red',
  'colour.orange': 'Orange',
  'colour.brown': 'Brown',
  'colour.grey': 'Grey',
  'tags.created': 'Tag “{name}” created.',
  'tags.saved': 'Tag “{name}” saved.',
  'tags.archivedDone': 'Tag “{name}” archived.',
  'tags.restored': 'Tag “{name}” is offered again.',
  'tags.editing': 'Edit the tag {name}',
};

export type TagsKey = keyof typeof en;

const fr: Record<TagsKey, string> = {
  'tags.title': 'Étiquettes',
  'tags.intro':
    'Les opérateurs étiquettent les conversations pendant l’échange et à la clôture. Une étiquette archivée n’est plus proposée, mais reste sur les conversations qui l’ont et dans les statistiques.',
  'tags.new': 'Nouvelle étiquette',
  'tags.name': 'Nom',
  'tags.colour': 'Couleur',
  'tags.colour.none': 'Aucune',
  'tags.colour.custom': 'Autre couleur (#rrvvbb)',
  'tags.create': 'Créer l’étiquette',
  'tags.none': 'Aucune étiquette pour l’instant.',
  'tags.state': 'État',
  'tags.active': 'Proposée',
  'tags.archivedState': 'Archivée',
  'tags.actions': 'Actions',
  'tags.edit': 'Modifier {name}',
  'tags.save': 'Enregistrer',
  'tags.cancel': 'Annuler',
  'tags.archive': 'Archiver {name}',
  'tags.restore': 'Proposer à nouveau {name}',
  'colour.green': 'Vert',
  'colour.blue': 'Bleu',
  'colour.purple': 'Violet',
  'colour.pink': 'Rose',
  'colour.red': 'Rouge',
  'colour.orange': 'Orange',
  'colour.brown': 'Brun',
  'colour.grey': 'Gris',
  'tags.created': 'Étiquette « {name} » créée.',
  'tags.saved': 'Étiquette « {name} » enregistrée.',
  'tags.archivedDone': 'Étiquette « {name} » archivée.',
  'tags.restored': 'L’étiquette « {name} » est de nouveau proposée.',
  'tags.editing': 'Modifier l’étiquette {name}',
};

export type TagsText = (key: TagsKey, values?: Record<string, string | number>) => string;

/** The tags page's translator in the console's language; `{name}` placeholders are filled from `values`. */
export function useTagsText(): TagsText {
  const { language } = useI18n();
  const dictionary = language === 'fr' ? fr : en;
  return (key, values) =>
    dictionary[key].replace(/\{(\w+)\}/g, (whole, name: string) =>
      values !== undefined && name in values ? String(values[name]) : whole,
    );
}
