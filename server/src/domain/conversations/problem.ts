// Problem reports: an operator flags a problem on a conversation with a reason (seed 002's operator statistic
// `problem` counts them). One report per conversation is kept; a later one replaces it.
import type { Kysely } from 'kysely';
import type { ConversationRow, Database } from '../../db/schema.js';
import { fieldInvalid, unknownResource } from '../../errors.js';
import { appendEvent } from '../../events/append.js';
import { transact } from '../../events/transact.js';
import { nowInstant } from '../../time.js';
import { assertOwned, type Principal } from '../tenancy/policy.js';

export interface ProblemReportInput {
  reason: string;
  operator_id?: number;
}

/**
 * Records the problem on the conversation (any status) and emits `conversation.problem_reported`. The reporter is the
 * console session's own operator; with an API key, `operator_id` (one of the client's operators) or else the
 * conversation's operator, or nobody (null) when it has none.
 */
export async function reportProblem(
  db: Kysely<Database>,
  principal: Principal,
  existing: ConversationRow,
  input: ProblemReportInput,
): Promise<void> {
  const reason = input.reason.trim();
  const session = principal.scope === 'client' ? principal.session : undefined;
  if (session !== undefined && input.operator_id !== undefined && input.operator_id !== session.operatorId)
    throw fieldInvalid('operator_id', 'A console session reports problems as its own operator only.');
  await transact(db, async (trx) => {
    if (input.operator_id !== undefined)
      await assertOwned(trx, 'operator', [input.operator_id], existing.client_id, 'operator_id');
    const operatorId = session?.operatorId ?? input.operator_id ?? existing.operator_id;
    const at = nowInstant();
    const updated = await trx
      .updateTable('conversation')
      .set({ problem_reported_at: at, problem_reason: reason, problem_operator_id: operatorId, updated_at: at })
      .where('id', '=', existing.id)
      .returning(['client_id', 'website_id', 'channel', 'visitor_id'])
      .executeTakeFirst();
    if (!updated) throw unknownResource('conversation', existing.id);
    await appendEvent(trx, {
      type: 'conversation.problem_reported',
      clientId: updated.client_id,
      subject: { type: 'conversation', id: existing.id },
      payload: {
        conversationId: existing.id,
        websiteId: updated.website_id,
        clientId: updated.client_id,
        channel: updated.channel,
        visitorId: updated.visitor_id,
        operatorId,
        reason,
      },
      at,
    });
  });
}
