// An operator's all-time figures (GET /operator/{id}/statistic), read from the statistics rollups
// (domain/statistics/operator-figures.ts).
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import { loadOperatorAllTimeFigures } from '../statistics/operator-figures.js';

export interface OperatorStatistic {
  id: number;
  conversation_number: number;
  satisfaction_global_rate: number | null;
  experience: number;
  /** Causerie's addition (seed 002's v1 `problem`): those conversations with a problem reported. */
  problem: number;
}

/**
 * All from the rollups (every channel, all time):
 * - `conversation_number` (`contact_number` on the operator's rows): conversations whose operator is them
 *   (`conversation.operator_id`), every channel and status;
 * - `problem` (the `problems` measure): among those conversations, the ones with a problem reported on them
 *   (POST /conversation/{id}/problem), whoever reported it;
 * - `satisfaction_global_rate` (`recorded_surveys`, `recorded_notes_sum`): the mean, over the surveys recorded with the
 *   operator (`satisfaction.operator_id`), of each survey's three notes (1 to 3) averaged and divided by 3, rounded to
 *   2 decimals (so between 0.33 and 1); null without surveys;
 * - `experience` (`authored_messages`): messages the operator has written (history entries of kind 1 signed by them),
 *   in whichever conversation, transferred away or not.
 * They lag committed changes by about a second (the projection, domain/statistics/projection.ts).
 */
export async function loadOperatorStatistic(
  db: Kysely<Database>,
  operator: { id: number; client_id: number },
): Promise<OperatorStatistic> {
  const figures = await loadOperatorAllTimeFigures(db, operator);
  return {
    id: operator.id,
    conversation_number: figures.conversation_number,
    satisfaction_global_rate: figures.satisfaction_global_rate,
    experience: figures.experience,
    problem: figures.problem,
  };
}
