// What a waiting visitor is told: position in the website's queue and estimated wait (algorithm.ts, rule 4).
import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../../db/schema.js';
import { unknownResource } from '../../errors.js';
import { appendEvent } from '../../events/append.js';
import type { LiveChannel } from '../people/live-schema.js';
import { estimateWaitSeconds, type QueuedConversation, queuePositions } from './algorithm.js';
import { countReadyOperators, isLiveChannel, meanQueueWait } from './store.js';

/** A waiting visitor's place in the queue. */
export interface QueueStatus {
  /** 1-based: 1 is served next among those waiting for the same operators. */
  position: number;
  estimatedWaitSeconds: number;
}

/** The queue status of every waiting conversation of a website, for announcing changed positions. */
export interface QueueEntry extends QueueStatus {
  conversationId: number;
  visitorId: number;
  channel: LiveChannel;
  skillId: number | null;
}

/** Estimates for one website, caching what does not depend on the conversation. */
function estimator(db: Kysely<Database>, websiteId: number, now: Date) {
  let mean: Promise<number | null> | undefined;
  const operators = new Map<string, Promise<number>>();
  return async (position: number, channel: LiveChannel, skillId: number | null): Promise<number> => {
    mean ??= meanQueueWait(db, websiteId, now);
    const key = `${channel}:${skillId ?? ''}`;
    let eligible = operators.get(key);
    if (eligible === undefined) {
      eligible = countReadyOperators(db, { websiteId, channels: [channel], skillId });
      operators.set(key, eligible);
    }
    return estimateWaitSeconds(position, await mean, await eligible);
  };
}

/**
 * Position and estimated wait of a waiting conversation; null when it is not waiting in a queue (assigned, closed,
 * or not a live channel). 404 when it does not exist. Reads inside the caller's transaction when given one.
 */
export async function queueStatus(
  db: Kysely<Database>,
  conversationId: number,
  now: Date = new Date(),
): Promise<QueueStatus | null> {
  const mine = await db
    .selectFrom('conversation')
    .select(['id', 'website_id', 'channel', 'skill_id', 'status', 'operator_id', 'queued_at'])
    .where('id', '=', conversationId)
    .executeTakeFirst();
  if (!mine) throw unknownResource('conversation', conversationId);
  if (mine.status !== 'waiting' || mine.operator_id !== null || mine.queued_at === null || !isLiveChannel(mine.channel))
    return null;
  const queuedAt = mine.queued_at;
  const ahead = await db
    .selectFrom('conversation')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('website_id', '=', mine.website_id)
    .where('channel', '=', mine.channel)
    .where('status', '=', 'waiting')
    .where('operator_id', 'is', null)
    .where('id', '!=', mine.id)
    .where((eb) =>
      eb.or([eb('queued_at', '<', queuedAt), eb.and([eb('queued_at', '=', queuedAt), eb('id', '<', mine.id)])]),
    )
    .where((eb) =>
      mine.skill_id === null
        ? eb('skill_id', 'is', null)
        : eb.or([eb('skill_id', 'is', null), eb('skill_id', '=', mine.skill_id)]),
    )
    .executeTakeFirstOrThrow();
  const position = Number(ahead.n) + 1;
  const estimate = estimator(db, mine.website_id, now);
  return { position, estimatedWaitSeconds: await estimate(position, mine.channel, mine.skill_id) };
}

/** Every waiting conversation of a website with its position and estimate, in queue order. */
export async function queueSnapshot(
  db: Kysely<Database>,
  websiteId: number,
  now: Date = new Date(),
): Promise<QueueEntry[]> {
  const rows = await db
    .selectFrom('conversation')
    .select(['id', 'visitor_id', 'channel', 'skill_id', 'queued_at'])
    .where('website_id', '=', websiteId)
    .where('status', '=', 'waiting')
    .where('operator_id', 'is', null)
    .where('queued_at', 'is not', null)
    .orderBy('queued_at')
    .orderBy('id')
    .execute();
  const queued: Array<QueuedConversation & { visitorId: number; channel: LiveChannel }> = [];
  for (const row of rows) {
    if (row.queued_at !== null && isLiveChannel(row.channel))
      queued.push({
        id: row.id,
        visitorId: row.visitor_id,
        channel: row.channel,
        skillId: row.skill_id,
        queuedAt: row.queued_at,
      });
  }
  const positions = queuePositions(queued);
  const estimate = estimator(db, websiteId, now);
  const entries: QueueEntry[] = [];
  for (const entry of queued) {
    const position = positions.get(entry.id) ?? 1;
    entries.push({
      conversationId: entry.id,
      visitorId: entry.visitorId,
      channel: entry.channel,
      skillId: entry.skillId,
      position,
      estimatedWaitSeconds: await estimate(position, entry.channel, entry.skillId),
    });
  }
  return entries;
}

/** A customer-channel conversation (WhatsApp, SMS, RCS) as it enters its website's queue. */
export interface CustomerConversation {
  conversationId: number;
  websiteId: number;
  clientId: number;
  visitorId: number;
}

/**
 * Puts a customer-channel conversation in its website's queue and says so: `waiting`, in the waiting list since `at`,
 * and `conversation.queued` with its place. Queue serving, a reaction to that event, gives it to an operator once one
 * is free. Used by the first inbound message and by a flow's handover.
 */
export async function queueCustomerConversation(
  trx: Transaction<Database>,
  conversation: CustomerConversation,
  at: string,
): Promise<void> {
  const { conversationId, websiteId, clientId, visitorId } = conversation;
  await trx
    .updateTable('conversation')
    .set({ status: 'waiting', waitinglist: 1, queued_at: at, updated_at: at })
    .where('id', '=', conversationId)
    .execute();
  const status = (await queueStatus(trx, conversationId)) ?? { position: 1, estimatedWaitSeconds: 0 };
  await appendEvent(trx, {
    type: 'conversation.queued',
    clientId,
    subject: { type: 'conversation', id: conversationId },
    payload: {
      conversationId,
      websiteId,
      clientId,
      channel: 'chat',
      visitorId,
      skillId: null,
      position: status.position,
      estimatedWaitSeconds: status.estimatedWaitSeconds,
      transferred: false,
    },
    at,
  });
}
