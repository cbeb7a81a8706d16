// English and French strings of the conversation details in the side panel (tags, satisfaction, sales, reopen,
// transcript); the French is typed against the English, so a missing translation does not compile.
import { useI18n } from '../i18n';

const en = {
  'details.title': 'Conversation',
  'details.tags': 'Tags',
  'details.noTags': 'No tag.',
  'details.removeTag': 'Remove the tag {name}',
  'details.addTag': 'Add a tag',
  'details.chooseTag': 'Choose a tag…',
  'details.add': 'Add',
  'details.archived': '{name} (archived)',
  'details.satisfaction': 'Satisfaction',
  'details.noSatisfaction': 'No survey answer.',
  'details.welcome': 'Welcome',
  'details.delay': 'Waiting time',
  'details.resolution': 'Resolution',
  'details.score': '{score}/3',
  'details.comment': 'Comment',
  'details.sales': 'Sales',
  'details.noSales': 'No sale.',
  'details.order': 'Order {id}',
  'details.reopen': 'Reopen the conversation',
  'details.reopened': 'Reopened: the conversation is yours again.',
  'details.print': 'Print / PDF',
  'transcript.button': 'E-mail the transcript',
  'transcript.notConfigured': 'E-mail is not set up on this server (no SMTP server): ask your administrator.',
  'transcript.form': 'E-mail the transcript',
  'transcript.email': 'Send to',
  'transcript.language': 'Language of the mail',
  'transcript.send': 'Send',
  'transcript.cancel': 'Cancel',
  'transcript.queued': 'Queued: transcript to {email}',
  'transcript.retrying': 'Queued, trying again: transcript to {email} ({error})',
  'transcript.sent': 'Sent: transcript to {email}, {time}',
  'transcript.failed': 'Not sent: transcript to {email} ({error})',
};

export type DetailsKey = keyof typeof en;

const fr: Record<DetailsKey, string> = {
  'details.title': 'Conversation',
  'details.tags': 'Étiquettes',
  'details.noTags': 'Aucune étiquette.',
  'details.removeTag': 'Retirer l’étiquette {name}',
  'details.addTag': 'Ajouter une étiquette',
  'details.chooseTag': 'Choisir une étiquette…',
  'details.add': 'Ajouter',
  'details.archived': '{name} (archivée)',
  'details.satisfaction': 'Satisfaction',
  'details.noSatisfaction': 'Aucune réponse au questionnaire.',
  'details.welcome': 'Accueil',
  'details.delay': 'Temps d’attente',
  'details.resolution': 'Résolution',
  'details.score': '{score}/3',
  'details.comment': 'Commentaire',
  'details.sales': 'Ventes',
  'details.noSales': 'Aucune vente.',
  'details.order': 'Commande {id}',
  'details.reopen': 'Rouvrir la conversation',
  'details.reopened': 'Rouverte : la conversation vous est de nouveau attribuée.',
  'details.print': 'Imprimer / PDF',
  'transcript.button': 'Envoyer la transcription par e-mail',
  'transcript.notConfigured':
    'L’envoi d’e-mails n’est pas configuré sur ce serveur (aucun serveur SMTP) : demandez à votre administrateur.',
  'transcript.form': 'Envoyer la transcription par e-mail',
  'transcript.email': 'Destinataire',
  'transcript.language': 'Langue de l’e-mail',
  'transcript.send': 'Envoyer',
  'transcript.cancel': 'Annuler',
  'transcript.queued': 'En file d’attente : transcription pour {email}',
  'transcript.retrying': 'En file d’attente, nouvel essai : transcription pour {email} ({error})',
  'transcript.sent': 'Envoyée : transcription pour {email}, {time}',
  'transcript.failed': 'Non envoyée : transcription pour {email} ({error})',
};

export type DetailsText = (key: DetailsKey, values?: Record<string, string | number>) => string;

/** The conversation details' translator in the console's language; `{name}` placeholders are filled from `values`. */
export function useDetailsText(): DetailsText {
  const { language } = useI18n();
  const dictionary = language === 'fr' ? fr : en;
  return (key, values) =>
    dictionary[key].replace(/\{(\w+)\}/g, (whole, name: string) =>
      values !== undefined && name in values ? String(values[name]) : whole,
    );
}
