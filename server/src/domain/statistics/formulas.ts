// Each indicator's value from summed rollup measures: the formulas of indicators.ts (and docs/STATISTICS.md) as code.
import type { StatsMeasure } from '../../db/schema.js';
import { type IndicatorName, indicatorDefinition, UNIT_DECIMALS } from './indicators.js';

/** Targeting counters (targeting_rule_counter), read beside the rollups. */
export const COUNTER_MEASURES = ['displays', 'triggers', 'withheld_busy', 'withheld_offline'] as const;
export type CounterMeasure = (typeof COUNTER_MEASURES)[number];

/** Measures of the clients' presence rows (website 0). */
export const PRESENCE_MEASURES = [
  'presence_s',
  'presence_union_s',
  'non_occupied_s',
  'partial_s',
  'full_s',
  'unavailable_s',
  'production_union_s',
  'presentation_union_s',
  'load_integral_s',
] as const satisfies readonly StatsMeasure[];

/** Measures of the website total rows of every sale (channel `*`). */
export const TOTAL_MEASURES = ['sales_total', 'sales_total_amount'] as const satisfies readonly StatsMeasure[];

export type Measure = StatsMeasure | CounterMeasure;

/** The sums a row of the answer is computed from; `lastSaleAt` the latest sale instant (ISO) or null. */
export interface Figures {
  get(measure: Measure): number;
  lastSaleAt: string | null;
}

export type IndicatorValue = number | string | null;

const ratio = (numerator: number, denominator: number): number | null =>
  denominator === 0 ? null : numerator / denominator;

const production = (f: Figures) => f.get('non_occupied_s') + f.get('partial_s') + f.get('full_s');
const ruleRate = (f: Figures) => ratio(f.get('from_rule'), f.get('displays'));
const missedBusy = (f: Figures) => f.get('missed_busy') + f.get('withheld_busy') * (ruleRate(f) ?? 0);
const missedOffline = (f: Figures) => f.get('missed_offline') + f.get('withheld_offline') * (ruleRate(f) ?? 0);
const conversion = (f: Figures) => ratio(f.get('converted'), f.get('operator_answered'));
const cartAfterContact = (f: Figures) => ratio(f.get('sales_after_amount'), f.get('sales_after'));
const missedTransactions = (missed: number, f: Figures) => {
  const rate = conversion(f);
  return rate === null ? null : missed * rate;
};
const missedAmount = (count: number | null, f: Figures) => {
  if (count === null) return null;
  if (count === 0) return 0;
  const cart = cartAfterContact(f);
  return cart === null ? null : count * cart;
};

interface Formula {
  /** The measures it reads (only those are summed). */
  needs: readonly Measure[];
  /** True when it reads the latest sale instead of measures. */
  lastSale?: true;
  value(f: Figures): number | null | 'last_sale';
}

const PRESENCE_STATES = ['non_occupied_s', 'partial_s', 'full_s'] as const;

export const FORMULAS: Readonly<Record<IndicatorName, Formula>> = {
  contact_answered_after_first_message_duration: {
    needs: ['first_reply_sum', 'first_reply_n'],
    value: (f) => ratio(f.get('first_reply_sum'), f.get('first_reply_n')),
  },
  contact_answered_duration: {
    needs: ['reply_sum', 'reply_n'],
    value: (f) => ratio(f.get('reply_sum'), f.get('reply_n')),
  },
  contact_closed_after_last_message_duration: {
    needs: ['close_gap_sum', 'close_gap_n'],
    value: (f) => ratio(f.get('close_gap_sum'), f.get('close_gap_n')),
  },
  contact_duration: {
    needs: ['duration_sum', 'duration_n'],
    value: (f) => ratio(f.get('duration_sum'), f.get('duration_n')),
  },
  contact_number: { needs: ['contacts'], value: (f) => f.get('contacts') },
  contact_sent_message_number: { needs: ['sent_messages'], value: (f) => f.get('sent_messages') },
  contact_received_message_number: { needs: ['received_messages'], value: (f) => f.get('received_messages') },
  contact_unanswered_number: { needs: ['unanswered'], value: (f) => f.get('unanswered') },
  contact_missed_number: {
    needs: ['missed_busy', 'missed_offline', 'withheld_busy', 'withheld_offline', 'from_rule', 'displays'],
    value: (f) => missedBusy(f) + missedOffline(f),
  },
  contact_missed_with_busy_operators_number: {
    needs: ['missed_busy', 'withheld_busy', 'from_rule', 'displays'],
    value: missedBusy,
  },
  contact_missed_with_no_operators_number: {
    needs: ['missed_offline', 'withheld_offline', 'from_rule', 'displays'],
    value: missedOffline,
  },
  contact_simultaneous_number: {
    needs: ['load_integral_s', 'presence_s'],
    value: (f) => ratio(f.get('load_integral_s'), f.get('presence_s')),
  },
  contact_waiting_abort_number: { needs: ['abandoned'], value: (f) => f.get('abandoned') },
  contact_waiting_answered_number: { needs: ['queue_answered'], value: (f) => f.get('queue_answered') },
  contact_waiting_before_quit_duration: {
    needs: ['abandoned_wait_sum', 'abandoned'],
    value: (f) => ratio(f.get('abandoned_wait_sum'), f.get('abandoned')),
  },
  contact_waiting_duration: {
    needs: ['queue_answered_wait_sum', 'queue_answered'],
    value: (f) => ratio(f.get('queue_answered_wait_sum'), f.get('queue_answered')),
  },
  contact_waiting_number: { needs: ['queued'], value: (f) => f.get('queued') },
  contact_per_hour_average_number: {
    needs: ['answered_outcome', 'production_union_s'],
    value: (f) => ratio(f.get('answered_outcome'), f.get('production_union_s') / 3600),
  },
  contact_per_hour_number: {
    needs: ['answered_outcome', ...PRESENCE_STATES],
    value: (f) => ratio(f.get('answered_outcome'), production(f) / 3600),
  },
  rule_contact_rate: { needs: ['from_rule', 'displays'], value: ruleRate },
  rule_display_number: { needs: ['displays'], value: (f) => f.get('displays') },
  targeting_rule_triggered: { needs: ['triggers'], value: (f) => f.get('triggers') },

  max_and_partial_occupation_duration: {
    needs: ['partial_s', 'full_s'],
    value: (f) => f.get('partial_s') + f.get('full_s'),
  },
  max_and_partial_occupation_rate: {
    needs: PRESENCE_STATES,
    value: (f) => ratio(f.get('partial_s') + f.get('full_s'), production(f)),
  },
  max_occupation_duration: { needs: ['full_s'], value: (f) => f.get('full_s') },
  max_occupation_rate: { needs: PRESENCE_STATES, value: (f) => ratio(f.get('full_s'), production(f)) },
  non_occupation_duration: { needs: ['non_occupied_s'], value: (f) => f.get('non_occupied_s') },
  non_occupation_rate: { needs: PRESENCE_STATES, value: (f) => ratio(f.get('non_occupied_s'), production(f)) },
  non_production_duration: { needs: ['unavailable_s'], value: (f) => f.get('unavailable_s') },
  non_production_rate: {
    needs: ['unavailable_s', 'presence_s'],
    value: (f) => ratio(f.get('unavailable_s'), f.get('presence_s')),
  },
  occupation_duration: { needs: ['partial_s'], value: (f) => f.get('partial_s') },
  occupation_rate: { needs: PRESENCE_STATES, value: (f) => ratio(f.get('partial_s'), production(f)) },
  presentation_duration: { needs: ['presentation_union_s'], value: (f) => f.get('presentation_union_s') },
  production_duration: { needs: PRESENCE_STATES, value: production },
  production_smoothed_duration: { needs: ['production_union_s'], value: (f) => f.get('production_union_s') },
  presence_duration: { needs: ['presence_s'], value: (f) => f.get('presence_s') },
  presence_smoothed_duration: { needs: ['presence_union_s'], value: (f) => f.get('presence_union_s') },

  satisfaction_delay_rate: {
    needs: ['note_delay_sum', 'surveys'],
    value: (f) => ratio(f.get('note_delay_sum') / 3, f.get('surveys')),
  },
  satisfaction_global_rate: {
    needs: ['note_welcome_sum', 'note_delay_sum', 'note_resolution_sum', 'surveys'],
    value: (f) =>
      ratio((f.get('note_welcome_sum') + f.get('note_delay_sum') + f.get('note_resolution_sum')) / 9, f.get('surveys')),
  },
  satisfaction_resolution_rate: {
    needs: ['note_resolution_sum', 'surveys'],
    value: (f) => ratio(f.get('note_resolution_sum') / 3, f.get('surveys')),
  },
  satisfaction_respondent_number: { needs: ['surveys'], value: (f) => f.get('surveys') },
  satisfaction_respondent_rate: {
    needs: ['surveys', 'operator_answered'],
    value: (f) => ratio(f.get('surveys'), f.get('operator_answered')),
  },
  satisfaction_welcome_rate: {
    needs: ['note_welcome_sum', 'surveys'],
    value: (f) => ratio(f.get('note_welcome_sum') / 3, f.get('surveys')),
  },

  cart_after_contact_amount: { needs: ['sales_after_amount', 'sales_after'], value: cartAfterContact },
  cart_global_amount: {
    needs: ['sales_total_amount', 'sales_total'],
    value: (f) => ratio(f.get('sales_total_amount'), f.get('sales_total')),
  },
  conversion_rate: { needs: ['converted', 'operator_answered'], value: conversion },
  transaction_after_contact_amount: { needs: ['sales_after_amount'], value: (f) => f.get('sales_after_amount') },
  transaction_after_contact_duration: {
    needs: ['sales_after_delay_sum', 'sales_after'],
    value: (f) => ratio(f.get('sales_after_delay_sum'), f.get('sales_after')),
  },
  transaction_after_contact_number: { needs: ['sales_after'], value: (f) => f.get('sales_after') },
  transaction_date: { needs: [], lastSale: true, value: () => 'last_sale' },
  transaction_in_session: { needs: ['sales_in_session'], value: (f) => f.get('sales_in_session') },
  transaction_missed_with_busy_operators_amount: {
    needs: [
      'missed_busy',
      'withheld_busy',
      'from_rule',
      'displays',
      'converted',
      'operator_answered',
      'sales_after_amount',
      'sales_after',
    ],
    value: (f) => missedAmount(missedTransactions(missedBusy(f), f), f),
  },
  transaction_missed_with_busy_operators_number: {
    needs: ['missed_busy', 'withheld_busy', 'from_rule', 'displays', 'converted', 'operator_answered'],
    value: (f) => missedTransactions(missedBusy(f), f),
  },
  transaction_missed_with_no_operators_amount: {
    needs: [
      'missed_offline',
      'withheld_offline',
      'from_rule',
      'displays',
      'converted',
      'operator_answered',
      'sales_after_amount',
      'sales_after',
    ],
    value: (f) => missedAmount(missedTransactions(missedOffline(f), f), f),
  },
  transaction_missed_with_no_operators_number: {
    needs: ['missed_offline', 'withheld_offline', 'from_rule', 'displays', 'converted', 'operator_answered'],
    value: (f) => missedTransactions(missedOffline(f), f),
  },
  transaction_total_amount: { needs: ['sales_total_amount'], value: (f) => f.get('sales_total_amount') },
  transaction_total_number: { needs: ['sales_total'], value: (f) => f.get('sales_total') },
  transaction_amount_per_conversation: {
    needs: ['sales_after_amount', 'operator_answered'],
    value: (f) => ratio(f.get('sales_after_amount'), f.get('operator_answered')),
  },
  transaction_after_conversation_amount_per_hour: {
    needs: ['sales_after_amount', ...PRESENCE_STATES],
    value: (f) => ratio(f.get('sales_after_amount'), production(f) / 3600),
  },
};

/** Rounds half away from zero to the unit's decimals (from unrounded sums, once, on output). */
export function roundFor(name: IndicatorName, value: number): number {
  const decimals = UNIT_DECIMALS[indicatorDefinition(name).unit] ?? 0;
  const factor = 10 ** decimals;
  // The epsilon keeps 0.665 (stored as 0.66499999…) rounding up, as a person computing it by hand would.
  const rounded = Math.round(Math.abs(value) * factor + 1e-9) / factor;
  return value < 0 ? -rounded : rounded;
}
