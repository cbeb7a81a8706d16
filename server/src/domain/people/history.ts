// Presence history: availability intervals, conversation holdings and chat limits over time, written inside the
// transaction of the command that changes the state, so the statistics engine (issue 17) reads history from rows.
//
// The rules are written here once: at most one open availability row per operator × channel, at most one open holding
// per conversation, and a holding handed over ends at the very instant the next one starts.
import type { Transaction } from 'kysely';
import type { AvailabilityChannel, ConversationChannel, Database } from '../../db/schema.js';

type Tx = Transaction<Database>;

/** Opens an availability interval at `at`; an interval already open on that channel is kept (never two open). */
export async function openAvailability(
  trx: Tx,
  interval: { clientId: number; operatorId: number; channel: AvailabilityChannel; at: string },
): Promise<void> {
  const open = await trx
    .selectFrom('availability_interval')
    .select('id')
    .where('operator_id', '=', interval.operatorId)
    .where('channel', '=', interval.channel)
    .where('ended_at', 'is', null)
    .executeTakeFirst();
  if (open !== undefined) return;
  await trx
    .insertInto('availability_interval')
    .values({
      client_id: interval.clientId,
      operator_id: interval.operatorId,
      channel: interval.channel,
      started_at: interval.at,
      ended_at: null,
    })
    .execute();
}

/** Ends at `at` the operator's open availability on the channels given (every channel when none is given). */
export async function closeAvailability(
  trx: Tx,
  operatorId: number,
  at: string,
  channels?: readonly AvailabilityChannel[],
): Promise<void> {
  let query = trx
    .updateTable('availability_interval')
    .set({ ended_at: at })
    .where('operator_id', '=', operatorId)
    .where('ended_at', 'is', null);
  if (channels !== undefined) query = query.where('channel', 'in', [...channels]);
  await query.execute();
}

/**
 * Gives the conversation to an operator from `at`: the holding open until now (another operator's) ends at that same
 * instant, so a transfer leaves neither a gap nor an overlap. Call it after the conversation's row was updated, so
 * concurrent hand-overs of one conversation wait for each other on PostgreSQL.
 */
export async function startHolding(
  trx: Tx,
  holding: {
    clientId: number;
    websiteId: number;
    conversationId: number;
    operatorId: number;
    channel: ConversationChannel;
    at: string;
  },
): Promise<void> {
  await endHolding(trx, holding.conversationId, holding.at);
  await trx
    .insertInto('conversation_holding')
    .values({
      client_id: holding.clientId,
      website_id: holding.websiteId,
      conversation_id: holding.conversationId,
      operator_id: holding.operatorId,
      channel: holding.channel,
      started_at: holding.at,
      ended_at: null,
    })
    .execute();
}

/**
 * Ends the conversation's open holding at `at` (nothing when nobody holds it). An import may date a close before the
 * holding began (an operator given by hand, then a `closed_at` in the past): it then ends where it started, lasting 0 s.
 */
export async function endHolding(trx: Tx, conversationId: number, at: string): Promise<void> {
  await trx
    .updateTable('conversation_holding')
    .set((eb) => ({
      ended_at: eb.case().when('started_at', '>', at).then(eb.ref('started_at')).else(at).end(),
    }))
    .where('conversation_id', '=', conversationId)
    .where('ended_at', 'is', null)
    .execute();
}

/**
 * Records the operator's chat limit from `at` when it differs from the last one recorded (or none is). Call it after
 * the operator's row was updated: concurrent changes then wait for each other on PostgreSQL, and each compares with
 * what the previous one recorded.
 */
export async function recordCapacity(
  trx: Tx,
  capacity: { clientId: number; operatorId: number; chatMaxNumber: number; at: string },
): Promise<void> {
  const last = await trx
    .selectFrom('operator_capacity')
    .select('chat_max_number')
    .where('operator_id', '=', capacity.operatorId)
    .orderBy('started_at', 'desc')
    .orderBy('id', 'desc')
    .executeTakeFirst();
  if (last !== undefined && last.chat_max_number === capacity.chatMaxNumber) return;
  await trx
    .insertInto('operator_capacity')
    .values({
      client_id: capacity.clientId,
      operator_id: capacity.operatorId,
      chat_max_number: capacity.chatMaxNumber,
      started_at: capacity.at,
    })
    .execute();
}
