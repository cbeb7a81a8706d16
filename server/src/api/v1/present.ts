// Rows → v1 shapes (seed 002): strings where the seed quotes values, `jj.mm.aaaa hh:mm` dates, CSV columns and XML elements.
import { MESSAGE_KIND, type MessageKind, type WebsiteRow } from '../../db/schema.js';
import { legacyRole, parseJsonList } from '../../domain/people/present.js';
import { type OperatorField, operatorFieldVisible } from '../../domain/people/visibility.js';
import type { Principal } from '../../domain/tenancy/policy.js';
import { type CsvColumn, formatMinutesSeconds, formatV1DateTime, formatV1Time, type XmlNode } from './formats.js';
import type { HistoryRow, OperatorListRow, SaleListRow, SatisfactionListRow } from './queries.js';
import type { OperatorStats } from './stats.js';

const flagText = (flag: number): string => (flag === 1 ? '1' : '0');

/** Seed 002's `nick`: the first name, or else the first word of the name. */
export function nickOf(name: string, firstName: string | null): string {
  const first = firstName?.trim();
  if (first) return first;
  return name.trim().split(/\s+/)[0] ?? '';
}

/**
 * An operator as v1 lists it. Its fields follow the same visibility table as REST v2 (domain/people/visibility.ts),
 * through the v2 field each one shows; v1 keeps its fixed shape, so a hidden field is an empty string.
 */
export function presentV1Operator(principal: Principal, row: OperatorListRow) {
  const shown = (field: OperatorField, value: string): string =>
    operatorFieldVisible(principal, field, row.id) ? value : '';
  return {
    id: String(row.id),
    external_id: shown('external_id', row.external_id ?? ''),
    name: row.name,
    nick: nickOf(row.name, row.first_name),
    pseudo: row.pseudo ?? '',
    rights: shown('roles', legacyRole(parseJsonList<string>(row.roles))),
    curchat: String(row.open_conversations),
    maxchat: shown('chat_max_number', String(row.chat_max_number)),
    is_online: flagText(row.connected),
    messenger_isonline: flagText(row.chat_available),
  };
}

export function presentV1Website(row: WebsiteRow) {
  return { id: String(row.id), label: row.label, url: row.url };
}

const FROM: Record<MessageKind, string> = {
  [MESSAGE_KIND.navigation]: 'NAVIGATION',
  [MESSAGE_KIND.visitor]: 'visitor',
  [MESSAGE_KIND.operator]: 'operator',
  [MESSAGE_KIND.system]: 'alert',
  [MESSAGE_KIND.note]: 'note',
};

/** One conversation as v1's chat history shows it; an open conversation's duration runs to `now`. */
export function presentHistory(row: HistoryRow, now: Date) {
  const end = row.closed_at === null ? now.getTime() : Date.parse(row.closed_at);
  return {
    id: String(row.id),
    duration: formatMinutesSeconds(end - Date.parse(row.created_at)),
    datetime: formatV1DateTime(row.created_at),
    opid: row.operator_id === null ? '' : String(row.operator_id),
    opname: row.operator_name ?? '',
    group: row.group_name ?? '',
    vuid: row.visitor_uid,
    user_agent: row.user_agent ?? row.visitor_browser ?? '',
    extid: row.visitor_external_id ?? '',
    history: row.messages.map((message) => ({
      from: FROM[message.kind] ?? 'alert',
      time: formatV1Time(message.created_at),
      msg: message.body,
    })),
  };
}

export type V1History = ReturnType<typeof presentHistory>;

/** `<chats><chat>…<history><message>…</message></history></chat></chats>`: the json fields as elements, in the same order. */
export function historyXml(chats: readonly V1History[]): XmlNode {
  return {
    name: 'chats',
    content: chats.map((chat) => ({
      name: 'chat',
      content: [
        ...(['id', 'duration', 'datetime', 'opid', 'opname', 'group', 'vuid', 'user_agent', 'extid'] as const).map(
          (field) => ({ name: field, content: chat[field] }),
        ),
        {
          name: 'history',
          content: chat.history.map((entry) => ({
            name: 'message',
            content: [
              { name: 'from', content: entry.from },
              { name: 'time', content: entry.time },
              { name: 'msg', content: entry.msg },
            ],
          })),
        },
      ],
    })),
  };
}

export function presentTransaction(row: SaleListRow) {
  return {
    id: String(row.id),
    operator: row.operator_name ?? '',
    chat_id: row.conversation_id === null ? '' : String(row.conversation_id),
    client_email: row.email ?? '',
    transaction_id: row.external_id,
    amount: row.amount.toFixed(2),
    date: formatV1DateTime(row.created_at),
  };
}

export type V1Transaction = ReturnType<typeof presentTransaction>;

/** Seed 002's transaction CSV: ids and amounts bare, the order id quoted (it is your text, not a number). */
export const TRANSACTION_CSV: CsvColumn<V1Transaction>[] = [
  { name: 'id', kind: 'number', value: (row) => row.id },
  { name: 'operator', kind: 'text', value: (row) => row.operator },
  { name: 'chat_id', kind: 'number', value: (row) => row.chat_id || null },
  { name: 'client_email', kind: 'text', value: (row) => row.client_email },
  { name: 'transaction_id', kind: 'text', value: (row) => row.transaction_id },
  { name: 'amount', kind: 'number', value: (row) => row.amount },
  { name: 'date', kind: 'text', value: (row) => row.date },
];

export function presentSatisfaction(row: SatisfactionListRow) {
  return {
    id: String(row.id),
    operator: row.operator_name ?? '',
    chat_id: String(row.conversation_id),
    note_accueil: row.note_welcome,
    note_delai: row.note_delay,
    note_resolution: row.note_resolution,
    comment: row.comment,
    date: formatV1DateTime(row.created_at),
  };
}

export type V1Satisfaction = ReturnType<typeof presentSatisfaction>;

export const SATISFACTION_CSV: CsvColumn<V1Satisfaction>[] = [
  { name: 'id', kind: 'number', value: (row) => row.id },
  { name: 'operator', kind: 'text', value: (row) => row.operator },
  { name: 'chat_id', kind: 'number', value: (row) => row.chat_id },
  { name: 'note_accueil', kind: 'number', value: (row) => String(row.note_accueil) },
  { name: 'note_delai', kind: 'number', value: (row) => String(row.note_delai) },
  { name: 'note_resolution', kind: 'number', value: (row) => String(row.note_resolution) },
  { name: 'comment', kind: 'text', value: (row) => row.comment },
  { name: 'date', kind: 'text', value: (row) => row.date },
];

/** Seed 002's field order and types: `presence` and the notes are numbers, the other figures strings. */
export function presentStats(stats: OperatorStats) {
  return {
    operator: stats.name,
    id: String(stats.id),
    presence: stats.presenceHours,
    chatcount: String(stats.chatCount),
    rate: stats.rate,
    duration: stats.meanMinutes.toFixed(8),
    conv_rate: stats.conversionRate.toFixed(4),
    turnover: (stats.turnoverCents / 100).toFixed(2),
    sales_count: String(stats.salesCount),
    problem: String(stats.problems),
    note_accueil: stats.noteWelcome,
    note_delai: stats.noteDelay,
    note_resolution: stats.noteResolution,
    note_globale: stats.noteOverall,
  };
}

export type V1Stats = ReturnType<typeof presentStats>;

export const STATS_CSV: CsvColumn<V1Stats>[] = [
  { name: 'operator', kind: 'text', value: (row) => row.operator },
  { name: 'id', kind: 'number', value: (row) => row.id },
  { name: 'presence', kind: 'number', value: (row) => String(row.presence) },
  { name: 'chatcount', kind: 'number', value: (row) => row.chatcount },
  { name: 'rate', kind: 'number', value: (row) => row.rate },
  { name: 'duration', kind: 'number', value: (row) => row.duration },
  { name: 'conv_rate', kind: 'number', value: (row) => row.conv_rate },
  { name: 'turnover', kind: 'number', value: (row) => row.turnover },
  { name: 'sales_count', kind: 'number', value: (row) => row.sales_count },
  { name: 'problem', kind: 'number', value: (row) => row.problem },
  { name: 'note_accueil', kind: 'number', value: (row) => String(row.note_accueil) },
  { name: 'note_delai', kind: 'number', value: (row) => String(row.note_delai) },
  { name: 'note_resolution', kind: 'number', value: (row) => String(row.note_resolution) },
  { name: 'note_globale', kind: 'number', value: (row) => String(row.note_globale) },
];
