// The widget's words in English and French; the language comes from data-lang, else the browser (../lang.ts).
import type { Lang } from '../lang';

export { type Lang, pickLang } from '../lang';

const en = {
  title: 'Chat with us',
  close: 'Close the chat',
  end: 'End chat',
  placeholder: 'Write a message…',
  send: 'Send',
  messages: 'Messages',
  you: 'You',
  agent: 'Agent',
  typing: '{name} is typing…',
  seen: 'Seen',
  sending: 'Sending…',
  welcome: 'Hello! Ask us anything: someone will answer you here.',
  welcomeBusy: 'Everyone is busy right now: write your message and you will be answered in turn.',
  welcomeOffline: 'Nobody is available to chat right now. Leave your message: we will get back to you by email.',
  queued: 'You are number {position} in line.',
  wait: 'Estimated wait: about {minutes} min.',
  waitSoon: 'Estimated wait: less than a minute.',
  connecting: 'Connecting…',
  reconnecting: 'Connection lost. Reconnecting…',
  assigned: '{name} joined the conversation.',
  transferred: 'You are now talking with {name}.',
  operatorClosed: 'The conversation has ended.',
  visitorClosed: 'You ended the conversation.',
  offlineTitle: 'Nobody is available right now',
  offlineText: 'Your message was kept. Leave your email and a few words: we will get back to you.',
  email: 'Your email',
  emailLine: 'Email: {email}',
  yourMessage: 'Your message',
  leaveMessage: 'Leave a message',
  offlineThanks: 'Thank you! We will get back to you by email.',
  surveyTitle: 'How was your conversation?',
  noteWelcome: 'Welcome',
  noteDelay: 'Waiting time',
  noteResolution: 'Answer to your question',
  note1: 'Poor',
  note2: 'Fair',
  note3: 'Good',
  comment: 'A comment (optional)',
  submit: 'Send my answer',
  skip: 'Skip',
  surveyThanks: 'Thank you for your answer!',
  newChat: 'Start a new conversation',
  newMessage: 'New message from {name}: {text}',
  failed: 'Not sent. Check your connection.',
  error: 'Something went wrong: {message}',
  viewProduct: 'View product',
  inStock: 'In stock',
  outOfStock: 'Out of stock',
};

export type Words = typeof en;
export type WordKey = keyof Words;

const fr: Words = {
  title: 'Discutons',
  close: 'Fermer la discussion',
  end: 'Terminer',
  placeholder: 'Écrivez un message…',
  send: 'Envoyer',
  messages: 'Messages',
  you: 'Vous',
  agent: 'Conseiller',
  typing: '{name} écrit…',
  seen: 'Lu',
  sending: 'Envoi…',
  welcome: 'Bonjour ! Posez-nous vos questions : quelqu’un vous répondra ici.',
  welcomeBusy: 'Tout le monde est occupé pour le moment : écrivez votre message, on vous répondra à votre tour.',
  welcomeOffline:
    'Personne n’est disponible pour discuter en ce moment. Laissez votre message : nous vous répondrons par e-mail.',
  queued: 'Vous êtes en position {position} dans la file d’attente.',
  wait: 'Attente estimée : environ {minutes} min.',
  waitSoon: 'Attente estimée : moins d’une minute.',
  connecting: 'Connexion…',
  reconnecting: 'Connexion perdue. Reconnexion…',
  assigned: '{name} a rejoint la conversation.',
  transferred: 'Vous discutez maintenant avec {name}.',
  operatorClosed: 'La conversation est terminée.',
  visitorClosed: 'Vous avez terminé la conversation.',
  offlineTitle: 'Personne n’est disponible pour le moment',
  offlineText: 'Votre message a été conservé. Laissez votre e-mail et quelques mots : nous vous répondrons.',
  email: 'Votre e-mail',
  emailLine: 'E-mail : {email}',
  yourMessage: 'Votre message',
  leaveMessage: 'Laisser un message',
  offlineThanks: 'Merci ! Nous vous répondrons par e-mail.',
  surveyTitle: 'Comment s’est passée votre conversation ?',
  noteWelcome: 'Accueil',
  noteDelay: 'Délai d’attente',
  noteResolution: 'Réponse à votre question',
  note1: 'Mauvais',
  note2: 'Moyen',
  note3: 'Bien',
  comment: 'Un commentaire (facultatif)',
  submit: 'Envoyer ma réponse',
  skip: 'Passer',
  surveyThanks: 'Merci pour votre réponse !',
  newChat: 'Nouvelle conversation',
  newMessage: 'Nouveau message de {name} : {text}',
  failed: 'Non envoyé. Vérifiez votre connexion.',
  error: 'Une erreur est survenue : {message}',
  viewProduct: 'Voir le produit',
  inStock: 'En stock',
  outOfStock: 'En rupture de stock',
};

const dictionaries: Record<Lang, Words> = { en, fr };

/** A translator for one language: `t('queued', {position: 2})`. Placeholders are filled with plain text. */
export function translator(lang: Lang): (key: WordKey, values?: Record<string, string | number>) => string {
  const words = dictionaries[lang];
  return (key, values = {}) =>
    words[key].replace(/\{(\w+)\}/g, (whole, name: string) => (name in values ? String(values[name]) : whole));
}

/** Every key of every language, for the test that keeps them in step. */
export const allWords = dictionaries;
