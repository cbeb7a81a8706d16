// Operator statistics of seed 002's `operator_stats/getStats`, every figure from the statistics rollups
// (domain/statistics/operator-figures.ts): presence, conversation counts, durations, problems, conversion, the sales
// and the survey answers credited to each operator.
import { NO_PERIOD_FIGURES, type OperatorPeriodFigures } from '../../domain/statistics/operator-figures.js';
import type { StatsOperator } from './queries.js';

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

/** Like PHP's float to string (14 significant digits): `2.66666666666667`, `3`. */
function shortNumber(value: number): string {
  return String(Number(value.toPrecision(15)));
}

/**
 * Statistics per operator of the list from the rollup figures of the period (operator-figures.ts). Operators deleted
 * since are listed only when they did something in the period.
 */
export function computeOperatorStats(
  operators: readonly StatsOperator[],
  figures: ReadonlyMap<number, OperatorPeriodFigures>,
): OperatorStats[] {
  return operators.flatMap((operator) => {
    const own = figures.get(operator.id) ?? NO_PERIOD_FIGURES;
    const active = own.chatCount > 0 || own.presenceSeconds > 0 || own.salesCount > 0 || own.surveys > 0;
    if (operator.deleted_at !== null && !active) return [];
    // The notes are whole numbers, so their sums are exact and each mean is the one a list of the notes would give.
    const meanOf = (sum: number, count: number) => (count === 0 ? 0 : sum / count);
    const overall = meanOf(own.noteWelcomeSum + own.noteDelaySum + own.noteResolutionSum, 3 * own.surveys);
    return [
      {
        id: operator.id,
        name: operator.name,
        presenceHours: own.presenceHours,
        chatCount: own.chatCount,
        rate: own.surveys === 0 ? '0' : shortNumber(overall),
        meanMinutes: own.meanMinutes,
        conversionRate: own.chatCount === 0 ? 0 : own.soldConversations / own.chatCount,
        // Summed in cents so 19.90 + 0.10 is 20.00, not 19.999999999999996.
        turnoverCents: own.turnoverCents,
        salesCount: own.salesCount,
        problems: own.problems,
        noteWelcome: Math.round(meanOf(own.noteWelcomeSum, own.surveys)),
        noteDelay: Math.round(meanOf(own.noteDelaySum, own.surveys)),
        noteResolution: Math.round(meanOf(own.noteResolutionSum, own.surveys)),
        noteOverall: Math.round(overall),
      },
    ];
  });
}
