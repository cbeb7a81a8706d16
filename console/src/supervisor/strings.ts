// English and French strings of the supervisor page, loaded with it. The French is typed against the English, so a
// missing translation does not compile.
import { CauserieError } from '../api';
import { useI18n } from '../i18n';

const en = {
  title: 'Supervisor',
  intro: 'Every waiting and open conversation of your websites and each operator’s load, kept up to date.',
  updated: 'Updated {time}',
  loading: 'Loading…',
  refreshFailed: 'Could not refresh: {message}',
  website: 'Website',
  allWebsites: 'All websites',
  status: 'Status',
  allStatuses: 'Waiting and open',
  'status.waiting': 'Waiting',
  'status.open': 'Open',
  conversations: 'Conversations',
  conversationsCaption: '{count} conversations: waiting ones first, in queue order',
  none: 'No waiting or open conversation.',
  'column.visitor': 'Visitor',
  'column.website': 'Website',
  'column.channel': 'Channel',
  'column.operator': 'Operator',
  'column.time': 'Waiting / duration',
  'column.queue': 'Queue',
  'column.lastMessage': 'Last message',
  'column.actions': 'Actions',
  anonymous: 'Visitor #{id}',
  waitingOperator: 'waiting',
  waitingFor: 'waiting {duration}',
  openFor: 'open {duration}',
  queuePosition: '#{position}',
  queuePositionLabel: 'Position {position} in the queue',
  estimate: '~{minutes} min',
  noMessage: 'No message yet',
  fromVisitor: 'Visitor:',
  fromOperator: 'Operator:',
  takeOver: 'Take over',
  takeOverLabel: 'Take over conversation {id}',
  assign: 'Assign…',
  assignLabel: 'Assign conversation {id}',
  transfer: 'Transfer…',
  transferLabel: 'Transfer conversation {id}',
  assignTo: 'Give conversation {id} to',
  operatorsGroup: 'Operators',
  groupsGroup: 'Groups',
  groupOption: 'Group {name}',
  candidate: '{name} — {state}, {load}',
  notEligible: '{name} — {state} (cannot take it)',
  confirmAssign: 'Assign',
  confirmTransfer: 'Transfer',
  cancel: 'Cancel',
  noCandidate: 'No other operator answers on this website.',
  assigned: 'Conversation {id} is now with {name}.',
  requeued: 'Conversation {id} went back to the queue (position {position}).',
  failed: 'Conversation {id}: {message}',
  'refusal.conversation_closed': 'it has been closed.',
  'refusal.channel_not_routed': 'only chat, call and video conversations can be given to an operator.',
  'refusal.operator_has_conversation': '{name} already has it.',
  'refusal.operator_not_on_website': '{name} does not answer on this website.',
  'refusal.operator_not_connected': '{name} is not online.',
  'refusal.operator_channel_disabled': '{name} does not handle this channel.',
  'refusal.operator_not_available': '{name} is not available.',
  'refusal.operator_no_free_slot': '{name} has no free slot.',
  'refusal.group_nobody_free': 'nobody in {name} is online, available and free on this website.',
  'refusal.not_permitted': 'only an admin or a manager can do this.',
  'refusal.not_found': 'it no longer exists.',
  operators: 'Operators',
  operatorsCaption: '{count} operators: availability and open conversations per channel',
  noOperators: 'No operator.',
  'column.name': 'Name',
  'column.connection': 'Connection',
  'column.chat': 'Chat',
  'column.call': 'Call',
  'column.video': 'Video',
  connected: 'Connected',
  disconnected: 'Not connected',
  'state.offline': 'not connected',
  'state.unavailable': 'unavailable',
  'state.available': 'available',
  'state.full': 'at their limit',
  load: '{taken} of {max}',
  loadLabel: '{taken} open of {max} allowed',
  channelDisabled: 'Not enabled',
  'channel.chat': 'Chat',
  'channel.call': 'Call',
  'channel.video': 'Video',
  'channel.social': 'Social',
};

export type SupervisorKey = keyof typeof en;

const fr: Record<SupervisorKey, string> = {
  title: 'Supervision',
  intro: 'Toutes les conversations en attente et ouvertes de vos sites et la charge de chaque opérateur, à jour.',
  updated: 'Mis à jour à {time}',
  loading: 'Chargement…',
  refreshFailed: 'Actualisation impossible : {message}',
  website: 'Site',
  allWebsites: 'Tous les sites',
  status: 'Statut',
  allStatuses: 'En attente et ouvertes',
  'status.waiting': 'En attente',
  'status.open': 'Ouverte',
  conversations: 'Conversations',
  conversationsCaption: '{count} conversations : celles en attente d’abord, dans l’ordre de la file',
  none: 'Aucune conversation en attente ou ouverte.',
  'column.visitor': 'Visiteur',
  'column.website': 'Site',
  'column.channel': 'Canal',
  'column.operator': 'Opérateur',
  'column.time': 'Attente / durée',
  'column.queue': 'File',
  'column.lastMessage': 'Dernier message',
  'column.actions': 'Actions',
  anonymous: 'Visiteur n° {id}',
  waitingOperator: 'en attente',
  waitingFor: 'attend depuis {duration}',
  openFor: 'ouverte depuis {duration}',
  queuePosition: 'n° {position}',
  queuePositionLabel: 'Position {position} dans la file',
  estimate: '~{minutes} min',
  noMessage: 'Pas encore de message',
  fromVisitor: 'Visiteur :',
  fromOperator: 'Opérateur :',
  takeOver: 'Prendre',
  takeOverLabel: 'Prendre la conversation {id}',
  assign: 'Attribuer…',
  assignLabel: 'Attribuer la conversation {id}',
  transfer: 'Transférer…',
  transferLabel: 'Transférer la conversation {id}',
  assignTo: 'Confier la conversation {id} à',
  operatorsGroup: 'Opérateurs',
  groupsGroup: 'Groupes',
  groupOption: 'Groupe {name}',
  candidate: '{name} — {state}, {load}',
  notEligible: '{name} — {state} (ne peut pas la prendre)',
  confirmAssign: 'Attribuer',
  confirmTransfer: 'Transférer',
  cancel: 'Annuler',
  noCandidate: 'Aucun autre opérateur ne répond sur ce site.',
  assigned: 'La conversation {id} est maintenant avec {name}.',
  requeued: 'La conversation {id} est revenue dans la file (position {position}).',
  failed: 'Conversation {id} : {message}',
  'refusal.conversation_closed': 'elle a été fermée.',
  'refusal.channel_not_routed': 'seules les conversations de chat, d’appel et de vidéo se confient à un opérateur.',
  'refusal.operator_has_conversation': '{name} l’a déjà.',
  'refusal.operator_not_on_website': '{name} ne répond pas sur ce site.',
  'refusal.operator_not_connected': '{name} n’est pas en ligne.',
  'refusal.operator_channel_disabled': '{name} ne traite pas ce canal.',
  'refusal.operator_not_available': '{name} n’est pas disponible.',
  'refusal.operator_no_free_slot': '{name} n’a plus de place libre.',
  'refusal.group_nobody_free': 'personne dans {name} n’est en ligne, disponible et libre sur ce site.',
  'refusal.not_permitted': 'seul un administrateur ou un responsable peut le faire.',
  'refusal.not_found': 'elle n’existe plus.',
  operators: 'Opérateurs',
  operatorsCaption: '{count} opérateurs : disponibilité et conversations ouvertes par canal',
  noOperators: 'Aucun opérateur.',
  'column.name': 'Nom',
  'column.connection': 'Connexion',
  'column.chat': 'Chat',
  'column.call': 'Appel',
  'column.video': 'Vidéo',
  connected: 'Connecté',
  disconnected: 'Non connecté',
  'state.offline': 'non connecté',
  'state.unavailable': 'indisponible',
  'state.available': 'disponible',
  'state.full': 'à sa limite',
  load: '{taken} sur {max}',
  loadLabel: '{taken} ouvertes sur {max} permises',
  channelDisabled: 'Non activé',
  'channel.chat': 'Chat',
  'channel.call': 'Appel',
  'channel.video': 'Vidéo',
  'channel.social': 'Réseaux sociaux',
};

export type SupervisorText = (key: SupervisorKey, values?: Record<string, string | number>) => string;

/** The page's translator in the console's language; `{name}` placeholders are filled from `values`. */
export function useSupervisorText(): SupervisorText {
  const { language } = useI18n();
  const dictionary = language === 'fr' ? fr : en;
  return (key, values) =>
    dictionary[key].replace(/\{(\w+)\}/g, (whole, name: string) =>
      values !== undefined && name in values ? String(values[name]) : whole,
    );
}

/** The key of a channel's name, or null for one without a translation. */
export function channelKey(channel: string): SupervisorKey | null {
  const key = `channel.${channel}`;
  return key in en ? (key as SupervisorKey) : null;
}

/**
 * Why a take-over, assignment or transfer was refused, kept as the server said it so that the sentence follows the
 * console's language: the refusal's key (from `meta.reason`, else the error id), the target's name, the server's message.
 */
export interface Refusal {
  key: SupervisorKey | null;
  /** The operator's or group's name. */
  name: string;
  /** A group is named as the picker shows it ("Group Support"), in the language of the moment. */
  group: boolean;
  message: string;
}

/** The Refusal of a failed transfer to the named operator or group. */
export function refusalOf(failure: unknown, target: { name: string; group: boolean }): Refusal {
  const message = failure instanceof Error ? failure.message : String(failure);
  if (!(failure instanceof CauserieError)) return { key: null, ...target, message };
  const body: unknown = failure.body;
  const meta = typeof body === 'object' && body !== null ? (body as { meta?: { reason?: unknown } }).meta : undefined;
  const cause = typeof meta?.reason === 'string' ? meta.reason : failure.id;
  const key = `refusal.${cause ?? ''}`;
  return { key: key in en ? (key as SupervisorKey) : null, ...target, message };
}

/** The refusal in the console's language; the server's (English) message for a cause this console does not know. */
export function refusalText(text: SupervisorText, id: number, refusal: Refusal | undefined): string | null {
  if (refusal === undefined) return null;
  const name = refusal.group ? text('groupOption', { name: refusal.name }) : refusal.name;
  const message = refusal.key === null ? refusal.message : text(refusal.key, { name });
  return text('failed', { id, message });
}
