// Transfers: an operator hands a conversation to another operator, a group, a skill or back to the queue; the system
// moves the conversations of an operator who left.
import type { Kysely } from 'kysely';
import type { ConversationMessageRow, Database } from '../../db/schema.js';
import { ApiError, conflictBecause, fieldInvalid } from '../../errors.js';
import { appendEvent } from '../../events/append.js';
import { transact } from '../../events/transact.js';
import { nowInstant } from '../../time.js';
import { endHolding, startHolding } from '../people/history.js';
import type { LiveChannel } from '../people/live-schema.js';
import { channelCapacity, chooseOperator, millisBetween, strategyOf } from './algorithm.js';
import {
  type Assignment,
  appendSystemEntry,
  entriesAfter,
  eventBase,
  lastSeq,
  OPERATOR_CHAT_TRANSFERRED,
  type Tx,
} from './entries.js';
import { lockRows } from './locks.js';
import { type QueueStatus, queueStatus } from './queue.js';
import { serveWithin } from './serving.js';
import {
  assertSkillOfClient,
  isLiveChannel,
  loadsOf,
  lockedOperatorStates,
  type RoutedConversation,
  routedConversation,
  routingWebsite,
} from './store.js';

// ——— Transfer ———

/**
 * Why a transfer is refused: the 409's `meta.reason`, stable (clients say each in their own words — the console's
 * supervisor view in English and French — and fall back to the message for one they do not know).
 */
export const TRANSFER_REFUSALS = {
  closed: 'conversation_closed',
  notRouted: 'channel_not_routed',
  alreadyTheirs: 'operator_has_conversation',
  notOnWebsite: 'operator_not_on_website',
  notConnected: 'operator_not_connected',
  channelDisabled: 'operator_channel_disabled',
  notAvailable: 'operator_not_available',
  noFreeSlot: 'operator_no_free_slot',
  groupNobodyFree: 'group_nobody_free',
} as const;

/** Where a conversation is transferred: one operator, the best free member of a group, or the operators of a skill. */
/**
 * Where a transfer sends a conversation. `reroute` is the system's own transfer when the operator who had it left
 * (their presence ended): any eligible operator with the conversation's skill, else back to the queue.
 */
export type TransferTarget =
  | { operatorId: number }
  | { groupId: number }
  | { skillId: number }
  | { reroute: 'operator_left'; from: number };

/** What the gateway announces after a transfer. */
export interface Transfer {
  conversationId: number;
  websiteId: number;
  channel: LiveChannel;
  visitorId: number;
  fromOperatorId: number | null;
  /** The operator who has the conversation now; null when it went back to the queue (skill target, nobody free). */
  toOperatorId: number | null;
  /** Its place in the queue when it went back to it. */
  queued: QueueStatus | null;
  /** The transfer notice, in `seq` order. */
  entries: ConversationMessageRow[];
  /**
   * Other conversations assigned in the transfer's transaction (the website's queue was served). The queues of the
   * operator who gave it away are served afterwards by the queue-serving reaction to `conversation.transferred`.
   */
  served: Assignment[];
}

/**
 * How a transfer to an operator is checked. A supervisor (admin or manager, domain/routing/supervision.ts) decides
 * over the operator's availability and chat limit; the operator must still answer on the website, process the
 * channel and be connected (unless it is the supervisor taking the conversation themselves).
 */
export interface TransferOptions {
  supervised?: boolean;
}

/** Refuses (409 naming why) an operator who cannot take a transferred conversation now; reads their row under lock. */
async function transferableOperator(
  trx: Tx,
  conversation: RoutedConversation,
  channel: LiveChannel,
  operatorId: number,
  checks: { supervised: boolean; byOperatorId: number | null },
): Promise<void> {
  const query = trx
    .selectFrom('operator')
    .select([
      'id',
      'client_id',
      'deleted_at',
      'connected',
      'chat_max_number',
      'chat_enabled',
      'chat_available',
      'call_enabled',
      'call_available',
      'video_enabled',
      'video_available',
    ])
    .where('id', '=', operatorId);
  const operator = await lockRows(trx, query, 'wait').executeTakeFirst();
  if (!operator || operator.client_id !== conversation.client_id || operator.deleted_at !== null)
    throw fieldInvalid('operator_id', `Unknown 'operator' with 'id' ${operatorId}.`);
  const flags = {
    chat: [operator.chat_enabled, operator.chat_available],
    call: [operator.call_enabled, operator.call_available],
    video: [operator.video_enabled, operator.video_available],
  } as const;
  const [enabled, available] = flags[channel];
  if (operator.id === conversation.operator_id)
    throw conflictBecause(
      TRANSFER_REFUSALS.alreadyTheirs,
      `Operator ${operatorId} already has conversation ${conversation.id}.`,
    );
  const linked = await trx
    .selectFrom('operator_website')
    .select('operator_id')
    .where('operator_id', '=', operatorId)
    .where('website_id', '=', conversation.website_id)
    .executeTakeFirst();
  if (!linked)
    throw conflictBecause(
      TRANSFER_REFUSALS.notOnWebsite,
      `Operator ${operatorId} does not answer on website ${conversation.website_id}.`,
    );
  const takingItThemselves = checks.supervised && operatorId === checks.byOperatorId;
  if (operator.connected !== 1 && !takingItThemselves)
    throw conflictBecause(TRANSFER_REFUSALS.notConnected, `Operator ${operatorId} is not connected.`);
  if (enabled !== 1)
    throw conflictBecause(
      TRANSFER_REFUSALS.channelDisabled,
      `Operator ${operatorId} cannot process ${channel} (${channel}_enabled is false).`,
    );
  if (checks.supervised) return;
  if (available !== 1)
    throw conflictBecause(TRANSFER_REFUSALS.notAvailable, `Operator ${operatorId} is not available for ${channel}.`);
  const load = (await loadsOf(trx, [operatorId])).get(`${operatorId}:${channel}`) ?? 0;
  const capacity = channelCapacity(channel, operator.chat_max_number);
  if (load >= capacity)
    throw conflictBecause(
      TRANSFER_REFUSALS.noFreeSlot,
      `Operator ${operatorId} has no free ${channel} slot (${load} of ${capacity} taken).`,
    );
}

/**
 * Transfers a conversation (open, or still waiting) in one transaction: to an operator who must be linked to the
 * website, connected, available on the channel and have a free slot (409 naming what is missing); to the best
 * eligible member of a group by the website's ordering (409 when none is free; the conversation's skill is not
 * required); or to a skill: `skill_id` changes and the operators with it are routed to, and when none is free the
 * conversation goes back to the end of the queue. The previous operator never gets it back in this transfer.
 * Writes the transfer notice with `{"event":"transferred","from":…,"to":…}` and `conversation.transferred`, then
 * (second transaction) serves the queues of the operator who gave it away.
 */
export async function transferConversation(
  db: Kysely<Database>,
  conversationId: number,
  target: TransferTarget,
  byOperatorId: number | null,
  options: TransferOptions = {},
): Promise<Transfer> {
  const done = await transact(db, async (trx) => {
    const conversation = await routedConversation(trx, conversationId, { lock: true });
    if (conversation.status === 'closed')
      throw conflictBecause(TRANSFER_REFUSALS.closed, `Conversation ${conversationId} is closed.`);
    const channel = conversation.channel;
    if (!isLiveChannel(channel))
      throw conflictBecause(
        TRANSFER_REFUSALS.notRouted,
        `Conversation ${conversationId} is on channel ${channel}; only chat, call and video conversations are routed.`,
      );
    if ('reroute' in target) {
      // Checked under the conversation's lock: it may have closed or changed hands, or its operator come back, since.
      const departed = await trx
        .selectFrom('operator')
        .select('connected')
        .where('id', '=', target.from)
        .executeTakeFirst();
      if (conversation.operator_id !== target.from || conversation.status !== 'open' || departed?.connected === 1)
        throw new NobodyToReroute();
    }
    if (byOperatorId !== null) {
      const by = await trx
        .selectFrom('operator')
        .select('id')
        .where('id', '=', byOperatorId)
        .where('client_id', '=', conversation.client_id)
        .executeTakeFirst();
      if (!by) throw fieldInvalid('by_operator_id', `Unknown 'operator' with 'id' ${byOperatorId}.`);
    }
    const website = await routingWebsite(trx, conversation.website_id);
    const strategy = strategyOf(website.routing_strategy);
    const from = conversation.operator_id;
    const at = nowInstant();
    const before = await lastSeq(trx, conversationId);

    let to: number | null;
    let targetData: Record<string, number | string>;
    let skillId = conversation.skill_id;
    let lockedIds: number[] = [];
    if ('operatorId' in target) {
      await transferableOperator(trx, conversation, channel, target.operatorId, {
        supervised: options.supervised === true,
        byOperatorId,
      });
      to = target.operatorId;
      targetData = { operator_id: target.operatorId };
    } else if ('groupId' in target) {
      const group = await trx
        .selectFrom('operator_group')
        .select('id')
        .where('id', '=', target.groupId)
        .where('client_id', '=', conversation.client_id)
        .executeTakeFirst();
      if (!group) throw fieldInvalid('group_id', `Unknown 'group' with 'id' ${target.groupId}.`);
      const members = await lockedOperatorStates(trx, {
        websiteId: website.id,
        channels: [channel],
        groupId: target.groupId,
      });
      const chosen = chooseOperator(members, { channel, skillId: null, excludeOperatorId: from }, strategy);
      if (chosen === undefined)
        throw conflictBecause(
          TRANSFER_REFUSALS.groupNobodyFree,
          `No operator of group ${target.groupId} is connected, available for ${channel} and free on website ${website.id}.`,
        );
      to = chosen.id;
      targetData = { group_id: target.groupId };
    } else {
      if ('skillId' in target) {
        await assertSkillOfClient(trx, target.skillId, conversation.client_id);
        skillId = target.skillId;
        targetData = { skill_id: target.skillId };
      } else {
        targetData = { reason: target.reroute };
      }
      // Every operator ready on the channel is locked, not only the skilled ones: if the conversation goes back to
      // the queue, serving it needs no further lock (see ServeOptions.operatorIds).
      const ready = await lockedOperatorStates(trx, { websiteId: website.id, channels: [channel] });
      lockedIds = ready.map((operator) => operator.id);
      to = chooseOperator(ready, { channel, skillId, excludeOperatorId: from }, strategy)?.id ?? null;
      // Nobody left to serve a queue: a conversation whose operator left stays theirs (they see it when back)
      // rather than wait for no one and end as missed.
      if ('reroute' in target && ready.length === 0) throw new NobodyToReroute();
    }

    const wasWaiting = conversation.status === 'waiting';
    if (to !== null) {
      await trx
        .updateTable('conversation')
        .set({
          operator_id: to,
          skill_id: skillId,
          assigned_at: at,
          updated_at: at,
          // A waiting conversation given by hand is answered now: its wait ends here.
          ...(wasWaiting && {
            status: 'open' as const,
            outcome: conversation.outcome ?? 'answered',
            wait_ms: conversation.wait_ms ?? millisBetween(conversation.created_at, at),
          }),
        })
        .where('id', '=', conversationId)
        .execute();
      // The operator who gave it away stops holding it at the instant the new one starts.
      await startHolding(trx, {
        clientId: conversation.client_id,
        websiteId: conversation.website_id,
        conversationId,
        operatorId: to,
        channel,
        at,
      });
      await trx.updateTable('operator').set({ last_assigned_at: at }).where('id', '=', to).execute();
    } else {
      // Back to the queue: an open conversation queues from now; a waiting one keeps its place.
      await trx
        .updateTable('conversation')
        .set({
          status: 'waiting',
          operator_id: null,
          skill_id: skillId,
          waitinglist: 1,
          queued_at: wasWaiting && conversation.queued_at !== null ? conversation.queued_at : at,
          updated_at: at,
        })
        .where('id', '=', conversationId)
        .execute();
      await endHolding(trx, conversationId, at);
    }
    await appendSystemEntry(
      trx,
      conversationId,
      OPERATOR_CHAT_TRANSFERRED,
      { event: 'transferred', from, to, target: targetData, by: byOperatorId },
      at,
    );
    const moved = { ...conversation, skill_id: skillId };
    await appendEvent(trx, {
      type: 'conversation.transferred',
      clientId: conversation.client_id,
      subject: { type: 'conversation', id: conversationId },
      payload: {
        ...eventBase(moved),
        fromOperatorId: from,
        toOperatorId: to,
        target: targetData,
        byOperatorId,
        queued: to === null,
      },
      at,
    });

    let queued: QueueStatus | null = null;
    let served: Assignment[] = [];
    if (to === null) {
      // The slot it left may serve someone ahead in the queue; it is offered, in its place, to everyone but `from`.
      served = await serveWithin(trx, website, [channel], {
        operatorIds: lockedIds,
        ...(from !== null && { avoid: { conversationId, operatorId: from } }),
      });
      const own = served.find((assignment) => assignment.conversationId === conversationId);
      if (own !== undefined) {
        to = own.operatorId;
        served = served.filter((assignment) => assignment !== own);
      } else {
        queued = await queueStatus(trx, conversationId);
        await appendEvent(trx, {
          type: 'conversation.queued',
          clientId: conversation.client_id,
          subject: { type: 'conversation', id: conversationId },
          payload: {
            ...eventBase(moved),
            position: queued?.position ?? 1,
            estimatedWaitSeconds: queued?.estimatedWaitSeconds ?? 0,
            transferred: true,
          },
          at,
        });
      }
    }
    return {
      conversation,
      channel,
      from,
      to,
      queued,
      served,
      entries: await entriesAfter(trx, conversationId, before),
    };
  });
  return {
    conversationId,
    websiteId: done.conversation.website_id,
    channel: done.channel,
    visitorId: done.conversation.visitor_id,
    fromOperatorId: done.from,
    toOperatorId: done.to,
    queued: done.queued,
    entries: done.entries,
    served: done.served,
  };
}

class NobodyToReroute extends Error {}

/**
 * The operator's presence ended (grace period over, node dead, or disconnected through the API): each of their open
 * live conversations goes to another eligible operator with its skill, or back to the queue in order when someone
 * is connected and ready on its website but busy. With nobody ready at all, the conversation stays theirs. Each move
 * is a transfer (`{"event":"transferred","target":{"reason":"operator_left"}}`, `conversation.transferred` with
 * `byOperatorId: null`), in its own transaction.
 */
export async function rerouteConversationsOf(db: Kysely<Database>, operatorId: number): Promise<Transfer[]> {
  const open = await db
    .selectFrom('conversation')
    .select('id')
    .where('operator_id', '=', operatorId)
    .where('status', '=', 'open')
    .where('channel', 'in', ['chat', 'call', 'video'])
    .orderBy('id')
    .execute();
  const moved: Transfer[] = [];
  for (const { id } of open) {
    try {
      moved.push(await transferConversation(db, id, { reroute: 'operator_left', from: operatorId }, null));
    } catch (error) {
      // Nobody to take it, or it closed or changed hands meanwhile: nothing to move.
      if (error instanceof NobodyToReroute || (error instanceof ApiError && error.httpStatus === 409)) continue;
      throw error;
    }
  }
  return moved;
}
