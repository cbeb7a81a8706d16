// Reopening a closed conversation: it goes back to one operator (never to the queue), so the operator who reopens it
// to follow up, or the one who had it, continues it; the visitor's next message continues it too (the widget joins
// the visitor's latest conversation that is not closed).
import type { Kysely } from 'kysely';
import { type ConversationRow, type Database, MESSAGE_KIND } from '../../db/schema.js';
import { conflict, fieldInvalid } from '../../errors.js';
import { appendEvent } from '../../events/append.js';
import { transact } from '../../events/transact.js';
import { nowInstant } from '../../time.js';
import { startHolding } from '../people/history.js';
import { assertOwned, type Principal } from '../tenancy/policy.js';
import { appendMessage } from './commands.js';

/**
 * Seed 003's assignment notice: the widget and the console already say "<operator> joined"; its data tells a reopening
 * (`event: 'reopened'`) from routing's assignments.
 */
const OPERATOR_CHAT_ASSIGNED = 'OPERATOR_CHAT_ASSIGNED';

export interface ReopenInput {
  operator_id?: number;
}

/**
 * Reopens a closed conversation (409 when it is not closed, even when two reopenings race): status `open`,
 * `closed_at` cleared, held by the console session's own operator, else `operator_id`, else the operator who had it
 * (none: 400 naming `operator_id`); an `OPERATOR_CHAT_ASSIGNED` entry with `{event: 'reopened'}`, and
 * `conversation.updated` naming `status` (and `operator_id` when another operator takes it), which the realtime layer
 * relays to the operator's console and routing counts in their load.
 */
export async function reopenConversation(
  db: Kysely<Database>,
  principal: Principal,
  existing: ConversationRow,
  input: ReopenInput,
): Promise<void> {
  const session = principal.scope === 'client' ? principal.session : undefined;
  if (session !== undefined && input.operator_id !== undefined && input.operator_id !== session.operatorId)
    throw fieldInvalid('operator_id', 'A console session reopens a conversation for its own operator only.');
  if (existing.status !== 'closed') throw conflict(`Conversation ${existing.id} is not closed.`);
  const operatorId = session?.operatorId ?? input.operator_id ?? existing.operator_id;
  if (operatorId === null)
    throw fieldInvalid('operator_id', 'The conversation had no operator: name the operator who takes it.');
  await transact(db, async (trx) => {
    await assertOwned(trx, 'operator', [operatorId], existing.client_id, 'operator_id');
    const at = nowInstant();
    // The status condition makes the reopening happen once: a concurrent one finds no closed row and answers 409.
    const reopened = await trx
      .updateTable('conversation')
      .set({ status: 'open', closed_at: null, operator_closed: 0, operator_id: operatorId, updated_at: at })
      .where('id', '=', existing.id)
      .where('status', '=', 'closed')
      .returning(['client_id', 'website_id', 'channel', 'visitor_id'])
      .executeTakeFirst();
    if (!reopened) throw conflict(`Conversation ${existing.id} is not closed.`);
    await startHolding(trx, {
      clientId: reopened.client_id,
      websiteId: reopened.website_id,
      conversationId: existing.id,
      operatorId,
      channel: reopened.channel,
      at,
    });
    await appendMessage(trx, existing.id, {
      kind: MESSAGE_KIND.system,
      text: OPERATOR_CHAT_ASSIGNED,
      at,
      data: { event: 'reopened', operator_id: operatorId },
    });
    const operatorChanged = operatorId !== existing.operator_id;
    await appendEvent(trx, {
      type: 'conversation.updated',
      clientId: reopened.client_id,
      subject: { type: 'conversation', id: existing.id },
      payload: {
        conversationId: existing.id,
        websiteId: reopened.website_id,
        clientId: reopened.client_id,
        channel: reopened.channel,
        visitorId: reopened.visitor_id,
        operatorId,
        changed: operatorChanged ? ['status', 'operator_id'] : ['status'],
        ...(operatorChanged && { previousOperatorId: existing.operator_id }),
      },
      at,
    });
  });
}
