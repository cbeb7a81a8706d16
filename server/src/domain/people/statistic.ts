// An operator's all-time figures (GET /operator/{id}/statistic): counts from the statistics rollups, the survey rate and
// the messages written from their source rows (the rollups hold no exact measure for those two).
import type { Kysely } from 'kysely';
import { type Database, MESSAGE_KIND } from '../../db/schema.js';
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
 * - `conversation_number` (rollups: `contact_number` on the operator's rows, every channel): conversations whose
 *   operator is them (`conversation.operator_id`), every channel and status, all time;
 * - `problem` (rollups: the `problems` measure): among those conversations, the ones with a problem reported on them
 *   (POST /conversation/{id}/problem), whoever reported it;
 * - `satisfaction_global_rate` (source rows): the mean, over the surveys recorded with the operator
 *   (`satisfaction.operator_id`), of each survey's three notes (1 to 3) averaged and divided by 3, rounded to 2
 *   decimals (so between 0.33 and 1); null without surveys. The rollups count a survey for the conversation's operator
 *   as it is now (its last holder), which differs when a conversation is transferred after its survey;
 * - `experience` (source rows): messages the operator has written (history entries of kind 1 signed by them). The
 *   rollups' `sent_messages` on the operator's rows counts every operator message of their conversations, a
 *   colleague's before a transfer included, and none they wrote in conversations transferred away.
 * The rollup counts lag committed changes by about a second (the projection, domain/statistics/projection.ts).
 */
export async function loadOperatorStatistic(
  db: Kysely<Database>,
  operator: { id: number; client_id: number },
): Promise<OperatorStatistic> {
  const counts = await loadOperatorAllTimeFigures(db, operator);
  const surveys = await db
    .selectFrom('satisfaction')
    .select((eb) => [
      eb.fn.countAll<number | string>().as('n'),
      eb.fn
        .sum<number | string | null>(eb('note_welcome', '+', eb('note_delay', '+', eb.ref('note_resolution'))))
        .as('notes'),
    ])
    .where('operator_id', '=', operator.id)
    .where('client_id', '=', operator.client_id)
    .executeTakeFirstOrThrow();
  const messages = await db
    .selectFrom('conversation_message')
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .where('operator_id', '=', operator.id)
    .where('kind', '=', MESSAGE_KIND.operator)
    .executeTakeFirstOrThrow();
  const surveyCount = Number(surveys.n);
  // Σ(notes) / (3 notes × 3 points × surveys), rounded on whole hundredths so 0.665 cannot drift to 0.66.
  const rate = surveyCount === 0 ? null : Math.round((Number(surveys.notes ?? 0) * 100) / (9 * surveyCount)) / 100;
  return {
    id: operator.id,
    conversation_number: counts.conversation_number,
    satisfaction_global_rate: rate,
    experience: Number(messages.n),
    problem: counts.problem,
  };
}
