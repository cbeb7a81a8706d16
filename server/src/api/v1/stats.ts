// Operator statistics of seed 002's `operator_stats/getStats`, computed from a period's raw facts.
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

const MS_PER_HOUR = 3_600_000;
const MS_PER_MINUTE = 60_000;

const mean = (values: readonly number[]): number =>
  values.length === 0 ? 0 : values.reduce((sum, value) => sum + value, 0) / values.length;

/** Like PHP's float to string (14 significant digits): `2.66666666666667`, `3`. */
function shortNumber(value: number): string {
  return String(Number(value.toPrecision(15)));
}

/**
 * Statistics per operator for `[start, end)`, `now` closing presence sessions still open. Operators
 * deleted since are listed only when they did something in the period.
 */
export function computeOperatorStats(
  facts: StatsFacts,
  period: { start: string; end: string },
  now: Date,
): OperatorStats[] {
  const start = Date.parse(period.start);
  const end = Math.min(Date.parse(period.end), now.getTime());
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
  const conversations = byOperator(facts.conversations);
  const sales = byOperator(facts.sales);
  const satisfactions = byOperator(facts.satisfactions);
  const presence = byOperator(facts.presence);

  return facts.operators.flatMap((operator) => {
    const own = conversations.get(operator.id) ?? [];
    const ownSales = sales.get(operator.id) ?? [];
    const answers = satisfactions.get(operator.id) ?? [];
    const sessions = presence.get(operator.id) ?? [];
    if (operator.deleted_at !== null && own.length + ownSales.length + answers.length + sessions.length === 0)
      return [];

    let connectedMs = 0;
    for (const session of sessions) {
      const from = Math.max(Date.parse(session.started_at), start);
      const to = Math.min(session.ended_at === null ? now.getTime() : Date.parse(session.ended_at), end);
      if (to > from) connectedMs += to - from;
    }
    const closedMinutes = own.flatMap((conversation) =>
      conversation.closed_at === null
        ? []
        : [Math.max(0, Date.parse(conversation.closed_at) - Date.parse(conversation.created_at)) / MS_PER_MINUTE],
    );
    const sold = own.filter((conversation) => facts.soldConversationIds.has(conversation.id)).length;
    const welcome = answers.map((answer) => answer.note_welcome);
    const delay = answers.map((answer) => answer.note_delay);
    const resolution = answers.map((answer) => answer.note_resolution);
    const overall = mean([...welcome, ...delay, ...resolution]);

    return [
      {
        id: operator.id,
        name: operator.name,
        presenceHours: Math.round((connectedMs / MS_PER_HOUR) * 100) / 100,
        chatCount: own.length,
        rate: answers.length === 0 ? '0' : shortNumber(overall),
        meanMinutes: mean(closedMinutes),
        conversionRate: own.length === 0 ? 0 : sold / own.length,
        // Summed in cents so 19.90 + 0.10 is 20.00, not 19.999999999999996.
        turnoverCents: ownSales.reduce((sum, sale) => sum + Math.round(sale.amount * 100), 0),
        salesCount: ownSales.length,
        problems: own.filter((conversation) => conversation.problem_reported_at !== null).length,
        noteWelcome: Math.round(mean(welcome)),
        noteDelay: Math.round(mean(delay)),
        noteResolution: Math.round(mean(resolution)),
        noteOverall: Math.round(overall),
      },
    ];
  });
}
