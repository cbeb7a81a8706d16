// Rows → API shapes for conversations, history entries and tags (seed 003 field names).
import type { DeliveryState, ProviderError } from '../../channels/adapter.js';
import { type ConversationMessageRow, MESSAGE_KIND } from '../../db/schema.js';
import { epochMillis, formatDateTime } from '../../time.js';
import { link } from '../tenancy/present.js';
import type { ClosingAnswers } from './commands.js';
import { historyTuple } from './history.js';
import type { ConversationRecord, TagRecord } from './store.js';

export function presentConversation(row: ConversationRecord) {
  return {
    id: row.id,
    channel: row.channel,
    visitor_uid: row.visitor_uid,
    // Seed 003's history is what the visitor and operator said and saw: private notes (6) stay out of it.
    history: row.messages.filter((message) => message.kind !== MESSAGE_KIND.note).map(historyTuple),
    operator_answer: row.operator_answer === 1,
    operator_closed: row.operator_closed === 1,
    waitinglist: row.waitinglist === 1,
    page_type: row.page_type,
    created_at: formatDateTime(row.created_at),
    closed_at: row.closed_at === null ? null : formatDateTime(row.closed_at),
    website_id: row.website_id,
    operator_id: row.operator_id,
    skill_id: row.skill_id,
    tag_list: row.tag_list,
    rule_id: row.rule_id,
    contact_type: row.contact_type,
    xmpp_id: row.xmpp_id,
    visitor_id: row.visitor_id,
    source: row.source,
    status: row.status,
    outcome: row.outcome,
    phone_number: row.phone_number,
    client_id: row.client_id,
    problem:
      row.problem_reported_at === null
        ? null
        : {
            reported_at: formatDateTime(row.problem_reported_at),
            reason: row.problem_reason ?? '',
            operator_id: row.problem_operator_id,
          },
    closing_answers: row.closing_answers === null ? null : (JSON.parse(row.closing_answers) as ClosingAnswers),
    _link: link('conversation', row.id),
  };
}

/** Where an outbound WhatsApp, SMS or RCS message stands, as a history entry shows it. */
export interface MessageDelivery {
  state: DeliveryState;
  error?: ProviderError;
  updated_at: string;
}

export function presentMessage(row: ConversationMessageRow, delivery?: MessageDelivery) {
  const data = parseDetails(row.data);
  return {
    seq: row.seq,
    type: row.kind,
    text: row.body,
    operator_id: row.operator_id,
    created_at: formatDateTime(row.created_at),
    created_at_ms: epochMillis(row.created_at),
    ...(data !== undefined && { data }),
    ...(delivery !== undefined && {
      delivery: {
        state: delivery.state,
        ...(delivery.error !== undefined && { error: delivery.error }),
        updated_at: delivery.updated_at,
      },
    }),
  };
}

function parseDetails(data: string | null): Record<string, unknown> | undefined {
  if (data === null) return undefined;
  try {
    const value: unknown = JSON.parse(data);
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

export function presentTag(row: TagRecord) {
  return {
    id: row.id,
    name: row.name,
    website_id: row.website_id,
    client_id: row.client_id,
    colour: row.colour,
    archived: row.archived === 1,
    created_at: formatDateTime(row.created_at),
    _link: link('tag', row.id),
  };
}
