// Operator statistics of seed 002's `operator_stats/getStats`: presence, conversation counts, durations and problems from
// the statistics rollups, notes, sales and conversion from the period's source rows.
import { NO_PERIOD_FIGURES, type OperatorPeriodFigures } from '../../domain/statistics/operator-figures.js';
import type { StatsFacts } from './queries.js';

export interface OperatorStats {
  id: number;
  name: string;
  /** Hours connected within the period, two decimals. */
  presenceHours: number;
  /** Conversations the operator handled that started in the period. */
  chatCount: number;
  /** Mean of every note (1 to 3) of the period's answers, unrounded, as text; `0` without answers. */
  rate: string;
  /** Mean length in minutes of the closed ones among those conversations; 0 when none is closed. */
  meanMinutes: number;
  /** Share of those conversations followed by a sale; 0 without conversations. */
  conversionRate: number;
  /** Sales of the period credited to the operator: the sum of amounts in cents, and their number. */
  turnoverCents: number;
  salesCount: number;
  /** Those conversations with a problem reported on them (POST /api/2/conversation/{id}/problem), whoever reported it. */
  problems: number;
  noteWelcome: number;
  noteDelay: number;
  noteResolution: number;
  noteOverall: number;
}

const mean = (values: readonly number[]): number =>
  values.length === 0 ? 0 : values.reduce((sum, value) => sum + value, 0) / values.length;

/** Like PHP's float to string (14 significant digits): `2.66666666666667`, `3`. */
function shortNumber(value: number): string {
  return String(Number(value.toPrecision(15)));
}

/**
 * Statistics per operator from the rollup figures of the period (operator-figures.ts) and its source-row facts.
 * Operators deleted since are listed only when they did something in the period.
 */
export function computeOperatorStats(
  facts: StatsFacts,
  figures: ReadonlyMap<number, OperatorPeriodFigures>,
): OperatorStats[] {
  const byOperator = <T extends { operator_id: number | null }>(rows: readonly T[]): Map<number, T[]> => {
    const grouped = new Map<number, T[]>();
    for (const row of rows) {
      if (row.operator_id === null) continue;
      const list = grouped.get(row.operator_id) ?? [];
      list.push(row);
      grouped.set(row.operator_id, list);
    }
    return grouped;
  };
  const sales = byOperator(facts.sales);
  const satisfactions = byOperator(facts.satisfactions);
  const conversions = new Map(facts.conversions.map((row) => [row.operator_id, row]));

  return facts.operators.flatMap((operator) => {
    const own = figures.get(operator.id) ?? NO_PERIOD_FIGURES;
    const conversion = conversions.get(operator.id) ?? { conversations: 0, sold: 0 };
    const ownSales = sales.get(operator.id) ?? [];
    const answers = satisfactions.get(operator.id) ?? [];
    const active =
      own.chatCount > 0 ||
      own.presenceSeconds > 0 ||
      conversion.conversations > 0 ||
      ownSales.length > 0 ||
      answers.length > 0;
    if (operator.deleted_at !== null && !active) return [];

    const welcome = answers.map((answer) => answer.note_welcome);
    const delay = answers.map((answer) => answer.note_delay);
    const resolution = answers.map((answer) => answer.note_resolution);
    const overall = mean([...welcome, ...delay, ...resolution]);

    return [
      {
        id: operator.id,
        name: operator.name,
        presenceHours: own.presenceHours,
        chatCount: own.chatCount,
        rate: answers.length === 0 ? '0' : shortNumber(overall),
        meanMinutes: own.meanMinutes,
        conversionRate: conversion.conversations === 0 ? 0 : conversion.sold / conversion.conversations,
        // Summed in cents so 19.90 + 0.10 is 20.00, not 19.999999999999996.
        turnoverCents: ownSales.reduce((sum, sale) => sum + Math.round(sale.amount * 100), 0),
        salesCount: ownSales.length,
        problems: own.problems,
        noteWelcome: Math.round(mean(welcome)),
        noteDelay: Math.round(mean(delay)),
        noteResolution: Math.round(mean(resolution)),
        noteOverall: Math.round(overall),
      },
    ];
  });
}
