// The statistics benchmark's baseline: the same figures as the engine's, computed by plain SQL aggregations over the
// source tables (conversations, messages, surveys, sales) on each request, as a reporting query without rollups would.
import type { BulkWriter } from './bulk.js';

export interface Scope {
  clientId: number;
  /** Websites included; all of the client's when empty. */
  websiteIds: readonly number[];
  /** [from, to) as ISO instants (UTC). */
  from: string;
  to: string;
}

/** Per operator (or for the whole scope, key 0): the contact, satisfaction and after-contact sales figures. */
export interface ContactFigures {
  contact_number: number;
  contact_duration: number | null;
  contact_sent_message_number: number;
  contact_received_message_number: number;
  contact_answered_after_first_message_duration: number | null;
  contact_closed_after_last_message_duration: number | null;
  contact_waiting_answered_number: number;
  contact_waiting_duration: number | null;
  satisfaction_respondent_number: number;
  satisfaction_global_rate: number | null;
  satisfaction_welcome_rate: number | null;
  satisfaction_resolution_rate: number | null;
  transaction_after_contact_number: number;
  transaction_after_contact_amount: number;
}

/** Seconds between two ISO text instants, in each dialect. */
function secondsBetween(dialect: BulkWriter['dialect'], from: string, to: string): string {
  return dialect === 'sqlite'
    ? `((julianday(${to}) - julianday(${from})) * 86400.0)`
    : `extract(epoch from (cast(${to} as timestamptz) - cast(${from} as timestamptz)))`;
}

function websiteFilter(column: string, scope: Scope): { sql: string; parameters: number[] } {
  if (scope.websiteIds.length === 0) return { sql: '', parameters: [] };
  return {
    sql: ` and ${column} in (${scope.websiteIds.map(() => '?').join(', ')})`,
    parameters: [...scope.websiteIds],
  };
}

const numberOrNull = (value: unknown) => (value === null || value === undefined ? null : Number(value));

/**
 * The contact and satisfaction figures of chat conversations created in the scope, grouped by their operator
 * (`byOperator`) or together (key 0), and the after-contact sales of the period attributed the same way.
 */
export async function contactFigures(
  reader: BulkWriter,
  scope: Scope,
  byOperator: boolean,
): Promise<Map<number, ContactFigures>> {
  const seconds = (from: string, to: string) => secondsBetween(reader.dialect, from, to);
  const websites = websiteFilter('website_id', scope);
  const key = byOperator ? 'c.operator_id' : '0';
  const conversations = await reader.query<Record<string, unknown>>(
    `with c as (
       select id, operator_id, created_at, closed_at, operator_closed, queued_at, outcome, wait_ms
       from conversation
       where client_id = ? and channel = 'chat' and created_at >= ? and created_at < ?${websites.sql}
         ${byOperator ? 'and operator_id is not null' : ''}
     ),
     m as (
       select message.conversation_id,
         sum(case when message.kind = 1 then 1 else 0 end) as sent,
         sum(case when message.kind = 2 then 1 else 0 end) as received,
         min(case when message.kind = 2 then message.created_at end) as first_visitor,
         max(case when message.kind = 2 then message.created_at end) as last_visitor
       from conversation_message message join c on c.id = message.conversation_id
       group by message.conversation_id
     ),
     r as (
       select m.conversation_id, min(reply.created_at) as first_reply
       from m join conversation_message reply
         on reply.conversation_id = m.conversation_id and reply.kind = 1 and reply.created_at > m.first_visitor
       group by m.conversation_id
     )
     select ${key} as k,
       count(*) as contact_number,
       avg(case when c.operator_id is not null and c.closed_at is not null
         then ${seconds('c.created_at', 'c.closed_at')} end) as contact_duration,
       coalesce(sum(m.sent), 0) as contact_sent_message_number,
       coalesce(sum(m.received), 0) as contact_received_message_number,
       avg(${seconds('m.first_visitor', 'r.first_reply')}) as contact_answered_after_first_message_duration,
       avg(case when c.operator_closed = 1 and m.last_visitor is not null
         then ${seconds('m.last_visitor', 'c.closed_at')} end) as contact_closed_after_last_message_duration,
       sum(case when c.queued_at is not null and c.outcome = 'answered' then 1 else 0 end)
         as contact_waiting_answered_number,
       avg(case when c.queued_at is not null and c.outcome = 'answered' then c.wait_ms / 1000.0 end)
         as contact_waiting_duration,
       count(s.conversation_id) as satisfaction_respondent_number,
       avg((s.note_welcome + s.note_delay + s.note_resolution) / 9.0) as satisfaction_global_rate,
       avg(s.note_welcome / 3.0) as satisfaction_welcome_rate,
       avg(s.note_resolution / 3.0) as satisfaction_resolution_rate
     from c
       left join m on m.conversation_id = c.id
       left join r on r.conversation_id = c.id
       left join satisfaction s on s.conversation_id = c.id
     ${byOperator ? 'group by c.operator_id' : ''}`,
    [scope.clientId, scope.from, scope.to, ...websites.parameters],
  );
  const saleWebsites = websiteFilter('sale.website_id', scope);
  const sales = await reader.query<Record<string, unknown>>(
    `select ${byOperator ? 'c.operator_id' : '0'} as k, count(*) as n, coalesce(sum(sale.amount), 0) as amount
     from sale join conversation c on c.id = sale.conversation_id
     where sale.client_id = ? and sale.created_at >= ? and sale.created_at < ?${saleWebsites.sql}
       and c.operator_answer = 1 and c.channel = 'chat'
     ${byOperator ? 'group by c.operator_id' : ''}`,
    [scope.clientId, scope.from, scope.to, ...saleWebsites.parameters],
  );
  const salesOf = new Map(sales.map((row) => [Number(row.k), row]));
  const figures = new Map<number, ContactFigures>();
  for (const row of conversations) {
    const sale = salesOf.get(Number(row.k));
    figures.set(Number(row.k), {
      contact_number: Number(row.contact_number),
      contact_duration: numberOrNull(row.contact_duration),
      contact_sent_message_number: Number(row.contact_sent_message_number),
      contact_received_message_number: Number(row.contact_received_message_number),
      contact_answered_after_first_message_duration: numberOrNull(row.contact_answered_after_first_message_duration),
      contact_closed_after_last_message_duration: numberOrNull(row.contact_closed_after_last_message_duration),
      contact_waiting_answered_number: Number(row.contact_waiting_answered_number),
      contact_waiting_duration: numberOrNull(row.contact_waiting_duration),
      satisfaction_respondent_number: Number(row.satisfaction_respondent_number),
      satisfaction_global_rate: numberOrNull(row.satisfaction_global_rate),
      satisfaction_welcome_rate: numberOrNull(row.satisfaction_welcome_rate),
      satisfaction_resolution_rate: numberOrNull(row.satisfaction_resolution_rate),
      transaction_after_contact_number: Number(sale?.n ?? 0),
      transaction_after_contact_amount: Number(sale?.amount ?? 0),
    });
  }
  return figures;
}

/** Chat conversations created per UTC hour of the scope (`YYYY-MM-DD HH`), hours without any left out. */
export async function contactsPerHour(reader: BulkWriter, scope: Scope): Promise<Map<string, number>> {
  const websites = websiteFilter('website_id', scope);
  const rows = await reader.query<{ hour: string; n: unknown }>(
    `select substr(created_at, 1, 13) as hour, count(*) as n
     from conversation
     where client_id = ? and channel = 'chat' and created_at >= ? and created_at < ?${websites.sql}
     group by substr(created_at, 1, 13)`,
    [scope.clientId, scope.from, scope.to, ...websites.parameters],
  );
  return new Map(rows.map((row) => [row.hour.replace('T', ' '), Number(row.n)]));
}
