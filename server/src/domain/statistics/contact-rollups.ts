// Contact, satisfaction and transaction measures of a website's hours, from its conversations, messages, surveys and
// sales, and the operator credits (who wrote the messages, who a survey or a sale is credited to): pure functions, so
// the incremental projection and `stats rebuild` compute rows the same way.

import type { StatsMeasure } from '../../db/schema.js';
import { MESSAGE_KIND } from '../../db/schema.js';
import { hourOf, type RollupKey, RollupRows } from './rollup-rows.js';

export interface ConversationFact {
  id: number;
  channel: string;
  source: string;
  operator_id: number | null;
  skill_id: number | null;
  rule_id: number | null;
  page_type: string | null;
  contact_type: string;
  created_at: string;
  answered_at: string | null;
  closed_at: string | null;
  queued_at: string | null;
  outcome: string | null;
  wait_ms: number | null;
  operator_answer: number;
  operator_closed: number;
  problem_reported_at: string | null;
}

export interface MessageFact {
  conversation_id: number;
  kind: number;
  /** Who wrote it (operator messages). */
  operator_id: number | null;
  created_at: string;
}

export interface SurveyFact {
  conversation_id: number;
  note_welcome: number;
  note_delay: number;
  note_resolution: number;
}

/** A survey given in the hours computed, whatever its conversation's creation date. */
export interface DatedSurveyFact {
  /** The operator recorded with the survey (`satisfaction.operator_id`). */
  operator_id: number | null;
  /** Its conversation's operator now (`conversation.operator_id`), credited when none was recorded. */
  conversation_operator_id: number | null;
  note_welcome: number;
  note_delay: number;
  note_resolution: number;
}

export interface SaleFact {
  conversation_id: number | null;
  /** The operator reported with the sale (`sale.operator_id`), credited before the conversation's. */
  operator_id: number | null;
  amount: number;
  created_at: string;
}

export interface ContactFacts {
  /** Conversations created in the hours computed. */
  conversations: readonly ConversationFact[];
  /** Their messages, in the order of the conversation (seq). */
  messages: readonly MessageFact[];
  /** Their surveys (at most one each). */
  surveys: readonly SurveyFact[];
  /** Surveys given in the hours computed (by `satisfaction.created_at`), with their hour. */
  datedSurveys: readonly (DatedSurveyFact & { hour: string })[];
  /** Ids among them with at least one sale, whatever its date. */
  soldConversationIds: ReadonlySet<number>;
  /** Sales created in the hours computed. */
  sales: readonly SaleFact[];
  /** The conversations of those sales (any creation date), by id. */
  saleConversations: ReadonlyMap<number, ConversationFact>;
  /** Each operator's group today: a conversation counts for its operator's group. */
  groupOfOperator: ReadonlyMap<number, number | null>;
}

const seconds = (fromIso: string, toIso: string): number => (Date.parse(toIso) - Date.parse(fromIso)) / 1000;

/** The resources a conversation counts for: the website total first, then each resource it names. */
function dimensionsOf(
  conversation: ConversationFact,
  groupOfOperator: ReadonlyMap<number, number | null>,
): [string, string][] {
  const dimensions: [string, string][] = [['', '']];
  if (conversation.operator_id !== null) {
    dimensions.push(['operator', String(conversation.operator_id)]);
    const group = groupOfOperator.get(conversation.operator_id);
    if (group !== undefined && group !== null) dimensions.push(['group', String(group)]);
  }
  if (conversation.skill_id !== null) dimensions.push(['skill', String(conversation.skill_id)]);
  if (conversation.rule_id !== null) dimensions.push(['rule', String(conversation.rule_id)]);
  dimensions.push(['contact_type', conversation.contact_type]);
  if (conversation.page_type !== null && conversation.page_type !== '')
    dimensions.push(['page_type', conversation.page_type]);
  return dimensions;
}

/** What one conversation adds, measure by measure (its messages in order). */
function conversationMeasures(
  conversation: ConversationFact,
  messages: readonly MessageFact[],
  survey: SurveyFact | undefined,
  sold: boolean,
): Partial<Record<StatsMeasure, number>> {
  const out: Partial<Record<StatsMeasure, number>> = { contacts: 1 };
  let firstVisitorAt: string | null = null;
  let firstReplySeconds: number | null = null;
  let turnStartedAt: string | null = null;
  let lastVisitorAt: string | null = null;
  let sent = 0;
  let received = 0;
  let replySum = 0;
  let replyCount = 0;
  for (const message of messages) {
    if (message.kind === MESSAGE_KIND.visitor) {
      received++;
      lastVisitorAt = message.created_at;
      if (firstVisitorAt === null) firstVisitorAt = message.created_at;
      if (turnStartedAt === null) turnStartedAt = message.created_at;
    } else if (message.kind === MESSAGE_KIND.operator) {
      sent++;
      if (firstVisitorAt !== null && firstReplySeconds === null)
        firstReplySeconds = Math.max(0, seconds(firstVisitorAt, message.created_at));
      if (turnStartedAt !== null) {
        replySum += Math.max(0, seconds(turnStartedAt, message.created_at));
        replyCount++;
        turnStartedAt = null;
      }
    }
  }
  out.sent_messages = sent;
  out.received_messages = received;
  if (firstReplySeconds !== null) {
    out.first_reply_sum = firstReplySeconds;
    out.first_reply_n = 1;
  }
  out.reply_sum = replySum;
  out.reply_n = replyCount;
  const closed = conversation.closed_at !== null;
  if (closed && conversation.operator_closed === 1 && lastVisitorAt !== null && conversation.closed_at !== null) {
    out.close_gap_sum = Math.max(0, seconds(lastVisitorAt, conversation.closed_at));
    out.close_gap_n = 1;
  }
  if (closed && conversation.operator_id !== null && conversation.closed_at !== null) {
    out.duration_sum = Math.max(0, seconds(conversation.created_at, conversation.closed_at));
    out.duration_n = 1;
  }
  if (closed && conversation.operator_answer === 0 && conversation.contact_type === 'visitor') out.unanswered = 1;
  if (conversation.outcome === 'missed_busy') out.missed_busy = 1;
  if (conversation.outcome === 'missed_offline') out.missed_offline = 1;
  if (conversation.outcome === 'answered') out.answered_outcome = 1;
  if (conversation.queued_at !== null) {
    out.queued = 1;
    const waitSeconds = (conversation.wait_ms ?? 0) / 1000;
    if (conversation.outcome === 'abandoned') {
      out.abandoned = 1;
      out.abandoned_wait_sum = waitSeconds;
    } else if (conversation.outcome === 'answered') {
      out.queue_answered = 1;
      out.queue_answered_wait_sum = waitSeconds;
    }
  }
  if (conversation.operator_answer === 1) {
    out.operator_answered = 1;
    if (sold) out.converted = 1;
  }
  if (sold) out.sold_contacts = 1;
  if (conversation.rule_id !== null) out.from_rule = 1;
  if (conversation.problem_reported_at !== null) out.problems = 1;
  if (survey !== undefined) {
    out.surveys = 1;
    out.note_welcome_sum = survey.note_welcome;
    out.note_delay_sum = survey.note_delay;
    out.note_resolution_sum = survey.note_resolution;
  }
  return out;
}

/**
 * The row of an operator's credits in an hour: a resource of its own (`credit`, the operator's id), so that the engine's
 * reads of operator rows (by website, resource and period) do not pass over them; channel and source `*`.
 */
function creditKey(hour: string, operatorId: number): RollupKey {
  return { hour, channel: '*', source: '*', resource: 'credit', resource_id: String(operatorId) };
}

/**
 * The rollup rows of a website's hours: conversations by their creation hour (with the messages each operator wrote in
 * them), surveys and sales by theirs.
 */
export function contactRollups(facts: ContactFacts): RollupRows {
  const rows = new RollupRows();
  const messagesOf = new Map<number, MessageFact[]>();
  for (const message of facts.messages) {
    const list = messagesOf.get(message.conversation_id);
    if (list === undefined) messagesOf.set(message.conversation_id, [message]);
    else list.push(message);
  }
  const surveyOf = new Map(facts.surveys.map((survey) => [survey.conversation_id, survey]));

  for (const conversation of facts.conversations) {
    const measures = conversationMeasures(
      conversation,
      messagesOf.get(conversation.id) ?? [],
      surveyOf.get(conversation.id),
      facts.soldConversationIds.has(conversation.id),
    );
    const hour = hourOf(Date.parse(conversation.created_at));
    for (const [resource, resourceId] of dimensionsOf(conversation, facts.groupOfOperator)) {
      const key: RollupKey = {
        hour,
        channel: conversation.channel,
        source: conversation.source,
        resource,
        resource_id: resourceId,
      };
      rows.row(key);
      for (const [measure, value] of Object.entries(measures) as [StatsMeasure, number][])
        rows.add(key, measure, value);
    }
    // Whoever wrote them, a colleague before a transfer included: the operator statistic's `experience`.
    for (const message of messagesOf.get(conversation.id) ?? [])
      if (message.kind === MESSAGE_KIND.operator && message.operator_id !== null)
        rows.add(creditKey(hour, message.operator_id), 'authored_messages', 1);
  }

  for (const survey of facts.datedSurveys) {
    const credited = survey.operator_id ?? survey.conversation_operator_id;
    if (credited !== null) {
      const key = creditKey(survey.hour, credited);
      rows.add(key, 'credited_surveys', 1);
      rows.add(key, 'credited_note_welcome_sum', survey.note_welcome);
      rows.add(key, 'credited_note_delay_sum', survey.note_delay);
      rows.add(key, 'credited_note_resolution_sum', survey.note_resolution);
    }
    if (survey.operator_id !== null) {
      const key = creditKey(survey.hour, survey.operator_id);
      rows.add(key, 'recorded_surveys', 1);
      rows.add(key, 'recorded_notes_sum', survey.note_welcome + survey.note_delay + survey.note_resolution);
    }
  }

  for (const sale of facts.sales) {
    const hour = hourOf(Date.parse(sale.created_at));
    // Every sale, with or without contact, whatever the channel: the website's totals.
    const total: RollupKey = { hour, channel: '*', source: '*', resource: '', resource_id: '' };
    rows.add(total, 'sales_total', 1);
    rows.add(total, 'sales_total_amount', sale.amount);
    rows.laterSale(total, sale.created_at);
    const conversation = sale.conversation_id === null ? undefined : facts.saleConversations.get(sale.conversation_id);
    // Credited to the operator reported with it, else its conversation's, with or without contact (v1 getStats).
    const credited = sale.operator_id ?? conversation?.operator_id ?? null;
    if (credited !== null) {
      const key = creditKey(hour, credited);
      rows.add(key, 'credited_sales', 1);
      // In cents, each rounded as v1 sums them, so that 19.90 + 0.10 is 2,000 cents exactly.
      rows.add(key, 'credited_sales_cents', Math.round(sale.amount * 100));
    }
    if (conversation === undefined) continue;
    const afterContact = conversation.operator_answer === 1;
    const saleMs = Date.parse(sale.created_at);
    const inSession =
      saleMs >= Date.parse(conversation.created_at) &&
      (conversation.closed_at === null || saleMs <= Date.parse(conversation.closed_at));
    if (!afterContact && !inSession) continue;
    for (const [resource, resourceId] of dimensionsOf(conversation, facts.groupOfOperator)) {
      const key: RollupKey = {
        hour,
        channel: conversation.channel,
        source: conversation.source,
        resource,
        resource_id: resourceId,
      };
      if (inSession) rows.add(key, 'sales_in_session', 1);
      if (afterContact) {
        rows.add(key, 'sales_after', 1);
        rows.add(key, 'sales_after_amount', sale.amount);
        const answeredAt = conversation.answered_at ?? conversation.created_at;
        rows.add(key, 'sales_after_delay_sum', Math.max(0, seconds(answeredAt, sale.created_at)));
        rows.laterSale(key, sale.created_at);
      }
    }
  }
  return rows;
}
