// An operator's all-time figures (GET /operator/{id}/statistic), computed from conversation, message and satisfaction rows.
import type { Kysely } from 'kysely';
import { type Database, MESSAGE_KIND } from '../../db/schema.js';

export interface OperatorStatistic {
  id: number;
  conversation_number: number;
  satisfaction_global_rate: number | null;
  experience: number;
  /** Causerie's addition (seed 002's v1 `problem`): those conversations with a problem reported. */
  problem: number;
}

/**
 * - `conversation_number`: conversations assigned to the operator, every channel and status, all time;
 * - `satisfaction_global_rate`: the mean, over the operator's satisfaction surveys, of each survey's three
 *   notes (1 to 3) averaged and divided by 3, rounded to 2 decimals (so between 0.33 and 1); null without surveys;
 * - `experience`: messages the operator has written (history entries of kind 1 signed by them);
 * - `problem`: among the conversations counted by `conversation_number`, those with a problem reported on them
 *   (POST /conversation/{id}/problem), whoever reported it.
 */
export async function loadOperatorStatistic(
  db: Kysely<Database>,
  operator: { id: number; client_id: number },
): Promise<OperatorStatistic> {
  const conversations = await db
    .selectFrom('conversation')
    .select((eb) => [
      eb.fn.countAll<number | string>().as('n'),
      eb.fn.count<number | string>('problem_reported_at').as('problems'),
    ])
    .where('operator_id', '=', operator.id)
    .where('client_id', '=', operator.client_id)
    .executeTakeFirstOrThrow();
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
    conversation_number: Number(conversations.n),
    satisfaction_global_rate: rate,
    experience: Number(messages.n),
    problem: Number(conversations.problems),
  };
}
