// The shortcut sheet's words in English and French; the French is typed against the English, so a missing
// translation does not compile. Kept beside the sheet (loaded with it, not in the first load's dictionary).
import type { ShortcutId } from './shortcuts';

interface SheetWords {
  title: string;
  intro: string;
  keys: string;
  action: string;
  close: string;
  actions: Record<ShortcutId, string>;
}

const en: SheetWords = {
  title: 'Keyboard shortcuts',
  intro: 'Alt shortcuts work everywhere in the agent view, also while typing.',
  keys: 'Keys',
  action: 'Action',
  close: 'Close',
  actions: {
    help: 'Show this list',
    next: 'Next conversation in the list',
    previous: 'Previous conversation in the list',
    tabs: 'Mine, Waiting, Closed, Search',
    reply: 'Go to the reply box',
    note: 'Switch between reply and private note',
    canned: 'Canned responses (type / in the reply box)',
    transfer: 'Transfer the conversation',
    close: 'Close the conversation',
    escape: 'Close a dialog or a list',
  },
};

const fr: SheetWords = {
  title: 'Raccourcis clavier',
  intro: 'Les raccourcis Alt marchent partout dans la vue agent, même pendant la saisie.',
  keys: 'Touches',
  action: 'Action',
  close: 'Fermer',
  actions: {
    help: 'Afficher cette liste',
    next: 'Conversation suivante de la liste',
    previous: 'Conversation précédente de la liste',
    tabs: 'Miennes, En attente, Terminées, Recherche',
    reply: 'Aller à la zone de réponse',
    note: 'Passer de la réponse à la note privée',
    canned: 'Réponses enregistrées (tapez / dans la zone de réponse)',
    transfer: 'Transférer la conversation',
    close: 'Clôturer la conversation',
    escape: 'Fermer une fenêtre ou une liste',
  },
};

export const SHORTCUT_WORDS: Record<'en' | 'fr', SheetWords> = { en, fr };
