// English and French strings of the agent view's Search tab; the French is typed against the English, so a missing
// translation does not compile.
import { useI18n } from '../i18n';

const en = {
  'search.label': 'Search conversations',
  'search.placeholder': 'Words, a name, an email or a conversation number',
  'search.submit': 'Search',
  'search.filters': 'Filters',
  'search.status': 'Status',
  'search.anyStatus': 'Any status',
  'search.status.waiting': 'Waiting',
  'search.status.open': 'Open',
  'search.status.closed': 'Closed',
  'search.website': 'Website',
  'search.anyWebsite': 'Any website',
  'search.channel': 'Channel',
  'search.anyChannel': 'Any channel',
  'search.channel.chat': 'Chat',
  'search.channel.call': 'Call',
  'search.channel.video': 'Video',
  'search.channel.social': 'Social',
  'search.tag': 'Tag',
  'search.anyTag': 'Any tag',
  'search.from': 'From',
  'search.to': 'To',
  'search.clear': 'Clear the filters',
  'search.found': '{count} conversations found',
  'search.foundOne': '1 conversation found',
  'search.none': 'No conversation matches.',
  'search.more': 'More results',
  'search.searching': 'Searching…',
  'search.anonymous': 'Anonymous visitor',
  'search.in.message': 'Message',
  'search.in.note': 'Note',
  'search.in.visitor': 'Visitor',
  'search.in.tag': 'Tag',
  'search.number': 'Conversation #{id}',
  'search.keys': 'Enter searches; ↑ ↓ move between results.',
};

export type SearchKey = keyof typeof en;

const fr: Record<SearchKey, string> = {
  'search.label': 'Rechercher des conversations',
  'search.placeholder': 'Des mots, un nom, un e-mail ou un numéro de conversation',
  'search.submit': 'Rechercher',
  'search.filters': 'Filtres',
  'search.status': 'Statut',
  'search.anyStatus': 'Tous les statuts',
  'search.status.waiting': 'En attente',
  'search.status.open': 'Ouverte',
  'search.status.closed': 'Fermée',
  'search.website': 'Site',
  'search.anyWebsite': 'Tous les sites',
  'search.channel': 'Canal',
  'search.anyChannel': 'Tous les canaux',
  'search.channel.chat': 'Chat',
  'search.channel.call': 'Appel',
  'search.channel.video': 'Vidéo',
  'search.channel.social': 'Réseaux sociaux',
  'search.tag': 'Étiquette',
  'search.anyTag': 'Toutes les étiquettes',
  'search.from': 'Du',
  'search.to': 'Au',
  'search.clear': 'Effacer les filtres',
  'search.found': '{count} conversations trouvées',
  'search.foundOne': '1 conversation trouvée',
  'search.none': 'Aucune conversation ne correspond.',
  'search.more': 'Plus de résultats',
  'search.searching': 'Recherche…',
  'search.anonymous': 'Visiteur anonyme',
  'search.in.message': 'Message',
  'search.in.note': 'Note',
  'search.in.visitor': 'Visiteur',
  'search.in.tag': 'Étiquette',
  'search.number': 'Conversation n° {id}',
  'search.keys': 'Entrée lance la recherche ; ↑ ↓ passent d’un résultat à l’autre.',
};

export type SearchText = (key: SearchKey, values?: Record<string, string | number>) => string;

/** The Search tab's translator in the console's language; `{name}` placeholders are filled from `values`. */
export function useSearchText(): SearchText {
  const { language } = useI18n();
  const dictionary = language === 'fr' ? fr : en;
  return (key, values) =>
    dictionary[key].replace(/\{(\w+)\}/g, (whole, name: string) =>
      values !== undefined && name in values ? String(values[name]) : whole,
    );
}
