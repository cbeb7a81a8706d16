// Live routing commands: start, close, abandon and miss conversations, and the routing strategy setting.
// Each runs in one transaction that writes its rows and appends its events; the algorithm is documented in algorithm.ts.
import type { Kysely, Transaction } from 'kysely';
import {
  type ContactType,
  type ConversationMessageRow,
  type ConversationOutcome,
  type Database,
  MESSAGE_KIND,
} from '../../db/schema.js';
import { conflict, fieldInvalid, unknownResource } from '../../errors.js';
import { appendEvent } from '../../events/append.js';
import { transact } from '../../events/transact.js';
import { nowInstant } from '../../time.js';
import { appendMessage, closeConversation, openConversation } from '../conversations/commands.js';
import { LIVE_CHANNELS, type LiveChannel } from '../people/live-schema.js';
import { millisBetween, ROUTING_STRATEGIES } from './algorithm.js';
import { type Assignment, entriesAfter, eventBase, lastSeq, type Tx } from './entries.js';
import { queueStatus } from './queue.js';
import { serveWithin } from './serving.js';
import {
  assertSkillOfClient,
  countReadyOperators,
  isLiveChannel,
  queuedConversations,
  type RoutedConversation,
  routedConversation,
  routingWebsite,
} from './store.js';

// ——— Start ———

/** A visitor's request for a live conversation, as the gateway passes it. */
export interface LiveStartInput {
  websiteId: number;
  /** The visitor (found or created with findOrCreateVisitor); must belong to the website's client. */
  visitor: { id: number; uniqueId: string };
  /** Default `chat`. */
  channel?: LiveChannel;
  skillId?: number | null;
  ruleId?: number | null;
  pageType?: string | null;
  /** `visitor` (default) or `proactive` (a targeting invitation accepted), as domain/targeting/store.ts startingRule read it. */
  contactType?: ContactType;
  userAgent?: string | null;
  /** The visitor's first message; kept even when nobody answers (a message left). */
  text?: string | null;
  /** The sender's own id for that first message (idempotent resends). */
  clientMessageId?: string | null;
  /** More of the same change, written in the start's transaction (the offline form's email on the visitor). */
  alsoInTransaction?: (trx: Transaction<Database>, clientId: number) => Promise<void>;
  /** After commit, before anyone is told (reactions): the starter's own listening (see TransactOptions). */
  beforeAnnounced?: (conversationId: number) => Promise<void>;
}

interface StartedCommon {
  conversationId: number;
  websiteId: number;
  channel: LiveChannel;
  /** Entries this start wrote to the conversation, in `seq` order (first message, assignment or closing notice). */
  entries: ConversationMessageRow[];
  /** Other waiting conversations assigned in the same pass (they were ahead in the queue): announce them too. */
  served: Assignment[];
}

/** What became of a start: an operator has it, it waits in the queue, or nobody is there (closed as a message left). */
export type LiveStart =
  | (StartedCommon & { kind: 'assigned'; operatorId: number; waitMs: number })
  | (StartedCommon & { kind: 'queued'; position: number; estimatedWaitSeconds: number })
  | (StartedCommon & { kind: 'offline' });

/**
 * Starts a live conversation for a visitor and routes it, in one transaction: the conversation opens `waiting`
 * (source `web`, `conversation.started`) with the visitor's first message, is placed at the end of the website's
 * queue, and the queue is served. Then it is either assigned (`conversation.assigned`), queued (`waitinglist`,
 * `queued_at`, `conversation.queued`) when operators are connected and available but busy, or — nobody connected and
 * available on the channel — closed at once with outcome `missed_offline` (`conversation.missed`, reason `offline`).
 */
export async function startLiveConversation(db: Kysely<Database>, input: LiveStartInput): Promise<LiveStart> {
  const channel = input.channel ?? 'chat';
  if (!isLiveChannel(channel)) throw fieldInvalid('channel', 'Expected chat, call or video.');
  const text = input.text ?? null;
  return transact(
    db,
    async (trx): Promise<LiveStart> => {
      const website = await routingWebsite(trx, input.websiteId);
      if (input.skillId != null) await assertSkillOfClient(trx, input.skillId, website.client_id);
      const visitor = await trx
        .selectFrom('visitor')
        .select('id')
        .where('id', '=', input.visitor.id)
        .where('client_id', '=', website.client_id)
        .executeTakeFirst();
      if (!visitor) throw fieldInvalid('visitor_id', `Unknown 'visitor' with 'id' ${input.visitor.id}.`);
      await input.alsoInTransaction?.(trx, website.client_id);
      const at = nowInstant();
      const conversationId = await openConversation(trx, {
        clientId: website.client_id,
        websiteId: website.id,
        channel,
        source: 'web',
        visitor: input.visitor,
        skillId: input.skillId ?? null,
        ruleId: input.ruleId ?? null,
        pageType: input.pageType ?? null,
        contactType: input.contactType ?? 'visitor',
        userAgent: input.userAgent ?? null,
        status: 'waiting',
        createdAt: at,
      });
      const entries: ConversationMessageRow[] = [];
      if (text !== null && text !== '') {
        entries.push(
          await appendMessage(trx, conversationId, {
            kind: MESSAGE_KIND.visitor,
            text,
            at,
            clientMessageId: input.clientMessageId ?? null,
          }),
        );
      }
      const conversation = await routedConversation(trx, conversationId);
      const assignments = await serveWithin(trx, website, [channel], { last: conversation });
      const served = assignments.filter((assignment) => assignment.conversationId !== conversationId);
      const common = { conversationId, websiteId: website.id, channel };
      const own = assignments.find((assignment) => assignment.conversationId === conversationId);
      if (own !== undefined)
        return {
          ...common,
          kind: 'assigned',
          operatorId: own.operatorId,
          waitMs: own.waitMs,
          entries: [...entries, own.entry],
          served,
        };

      if ((await countReadyOperators(trx, { websiteId: website.id, channels: [channel] })) > 0) {
        // Stamped now, under the operators' locks, not at `at`: a start that waited for another's locks queues behind
        // it, so the positions told to concurrent visitors are distinct and in queue order.
        const queuedAt = nowInstant();
        await trx
          .updateTable('conversation')
          .set({ waitinglist: 1, queued_at: queuedAt, updated_at: queuedAt })
          .where('id', '=', conversationId)
          .execute();
        const status = (await queueStatus(trx, conversationId)) ?? { position: 1, estimatedWaitSeconds: 0 };
        await appendEvent(trx, {
          type: 'conversation.queued',
          clientId: website.client_id,
          subject: { type: 'conversation', id: conversationId },
          payload: {
            ...eventBase(conversation),
            position: status.position,
            estimatedWaitSeconds: status.estimatedWaitSeconds,
            transferred: false,
          },
          at,
        });
        return { ...common, kind: 'queued', ...status, entries, served };
      }

      const before = await lastSeq(trx, conversationId);
      await missWithin(trx, conversation, 'missed_offline', at);
      return {
        ...common,
        kind: 'offline',
        entries: [...entries, ...(await entriesAfter(trx, conversationId, before))],
        served,
      };
    },
    { beforeReactions: async (started) => input.beforeAnnounced?.(started.conversationId) },
  );
}

// ——— Ends of a wait: abandoned, missed ———

/** A waiting conversation that ended without an operator. */
export interface EndedWait {
  conversationId: number;
  websiteId: number;
  channel: string;
  visitorId: number;
  outcome: ConversationOutcome;
  waitMs: number;
  /** The closing notice (and anything else written), in `seq` order. */
  entries: ConversationMessageRow[];
}

/**
 * Inside the caller's transaction: ends a waiting conversation with a miss (`conversation.missed` with reason
 * `offline` or `busy`) and closes it (`operator_closed` 0). False when it is no longer waiting.
 */
async function missWithin(
  trx: Tx,
  conversation: RoutedConversation,
  outcome: 'missed_offline' | 'missed_busy',
  at: string,
): Promise<boolean> {
  const waitMs = millisBetween(conversation.created_at, at);
  const updated = await trx
    .updateTable('conversation')
    .set({ outcome, wait_ms: waitMs, updated_at: at })
    .where('id', '=', conversation.id)
    .where('status', '=', 'waiting')
    .where('operator_id', 'is', null)
    .executeTakeFirst();
  if (Number(updated.numUpdatedRows) === 0) return false;
  await appendEvent(trx, {
    type: 'conversation.missed',
    clientId: conversation.client_id,
    subject: { type: 'conversation', id: conversation.id },
    payload: {
      ...eventBase(conversation),
      reason: outcome === 'missed_offline' ? 'offline' : 'busy',
      queued: conversation.queued_at !== null,
      waitMs,
    },
    at,
  });
  await closeConversation(trx, conversation.id, { operatorClosed: false, at });
  return true;
}

/** Inside the caller's transaction: the visitor left while waiting (`abandoned`, `conversation.abandoned`, closed). False when no longer waiting. */
async function abandonWithin(trx: Tx, conversation: RoutedConversation, at: string): Promise<boolean> {
  const waitMs = millisBetween(conversation.created_at, at);
  const updated = await trx
    .updateTable('conversation')
    .set({ outcome: 'abandoned', wait_ms: waitMs, updated_at: at })
    .where('id', '=', conversation.id)
    .where('status', '=', 'waiting')
    .where('operator_id', 'is', null)
    .executeTakeFirst();
  if (Number(updated.numUpdatedRows) === 0) return false;
  await appendEvent(trx, {
    type: 'conversation.abandoned',
    clientId: conversation.client_id,
    subject: { type: 'conversation', id: conversation.id },
    payload: { ...eventBase(conversation), waitMs },
    at,
  });
  await closeConversation(trx, conversation.id, { operatorClosed: false, at });
  return true;
}

async function endedWait(trx: Tx, conversation: RoutedConversation, before: number): Promise<EndedWait> {
  const row = await trx
    .selectFrom('conversation')
    .select(['outcome', 'wait_ms'])
    .where('id', '=', conversation.id)
    .executeTakeFirstOrThrow();
  return {
    conversationId: conversation.id,
    websiteId: conversation.website_id,
    channel: conversation.channel,
    visitorId: conversation.visitor_id,
    outcome: row.outcome ?? 'abandoned',
    waitMs: row.wait_ms ?? 0,
    entries: await entriesAfter(trx, conversation.id, before),
  };
}

/**
 * The visitor left while waiting: the conversation closes with outcome `abandoned` and its `wait_ms`
 * (`conversation.abandoned`, `conversation.closed`). 409 when it is not waiting for an operator (already assigned:
 * close it with closeLiveConversation instead).
 */
export async function abandonConversation(db: Kysely<Database>, conversationId: number): Promise<EndedWait> {
  return transact(db, async (trx) => {
    const conversation = await routedConversation(trx, conversationId, { lock: true });
    const before = await lastSeq(trx, conversationId);
    if (!(await abandonWithin(trx, conversation, nowInstant())))
      throw conflict(`Conversation ${conversationId} is not waiting for an operator.`);
    return endedWait(trx, conversation, before);
  });
}

/** Ends the queued conversations `pick` selects among those of a website, with a miss; one transaction. */
async function missQueued(
  db: Kysely<Database>,
  websiteId: number,
  outcome: 'missed_offline' | 'missed_busy',
  pick: (trx: Tx, queued: RoutedConversation[]) => Promise<RoutedConversation[]>,
): Promise<EndedWait[]> {
  return transact(db, async (trx) => {
    await routingWebsite(trx, websiteId);
    const queued = await queuedConversations(trx, websiteId, LIVE_CHANNELS, 'skip_locked');
    const ended: EndedWait[] = [];
    const at = nowInstant();
    for (const conversation of await pick(trx, queued)) {
      const before = await lastSeq(trx, conversation.id);
      if (await missWithin(trx, conversation, outcome, at)) ended.push(await endedWait(trx, conversation, before));
    }
    return ended;
  });
}

/**
 * Closes, with outcome `missed_offline`, the queued conversations of a website on channels where no operator is
 * connected and available any more. The gateway calls it when the grace period it gives after the last operator
 * left has run out; a conversation on a channel where someone is back stays queued.
 */
export async function missQueuedConversations(db: Kysely<Database>, websiteId: number): Promise<EndedWait[]> {
  return missQueued(db, websiteId, 'missed_offline', async (trx, queued) => {
    const unserved = new Set<string>();
    for (const channel of LIVE_CHANNELS) {
      if ((await countReadyOperators(trx, { websiteId, channels: [channel] })) === 0) unserved.add(channel);
    }
    return queued.filter((conversation) => unserved.has(conversation.channel));
  });
}

/**
 * Closes, with outcome `missed_busy`, the queued conversations of a website that have waited longer than
 * `maxWaitMs` (operators were there, but busy). The gateway decides the maximum wait and when to call it.
 */
export async function expireQueuedConversations(
  db: Kysely<Database>,
  websiteId: number,
  maxWaitMs: number,
  now: Date = new Date(),
): Promise<EndedWait[]> {
  const limit = new Date(now.getTime() - maxWaitMs).toISOString();
  return missQueued(db, websiteId, 'missed_busy', async (_trx, queued) =>
    queued.filter((conversation) => conversation.queued_at !== null && conversation.queued_at <= limit),
  );
}

// ——— Close ———

/** What the gateway announces after a live close. */
export interface LiveClose {
  conversationId: number;
  websiteId: number;
  channel: string;
  visitorId: number;
  /** The operator who had the conversation (null when it was still waiting). */
  operatorId: number | null;
  operatorClosed: boolean;
  outcome: ConversationOutcome | null;
  /** The closing notice, in `seq` order. */
  entries: ConversationMessageRow[];
}

/**
 * Closes a live conversation (existing closeConversation: `operator_closed`, closing notice, `conversation.closed`);
 * the queues of the operator whose slot freed are then served by the queue-serving reaction. A visitor leaving a
 * conversation still waiting abandons it (outcome `abandoned`). An operator may close only a conversation that has
 * an operator, and, when `operatorId` is given, only their own (409 otherwise).
 */
export async function closeLiveConversation(
  db: Kysely<Database>,
  conversationId: number,
  input: { by: 'operator' | 'visitor'; operatorId?: number },
): Promise<LiveClose> {
  const closed = await transact(db, async (trx) => {
    const conversation = await routedConversation(trx, conversationId, { lock: true });
    if (conversation.status === 'closed') throw conflict(`Conversation ${conversationId} is already closed.`);
    const byOperator = input.by === 'operator';
    if (byOperator && conversation.operator_id === null)
      throw conflict(`Conversation ${conversationId} is waiting for an operator; only its visitor can leave it.`);
    if (byOperator && input.operatorId !== undefined && input.operatorId !== conversation.operator_id) {
      throw conflict(`Operator ${input.operatorId} does not have conversation ${conversationId}.`);
    }
    const before = await lastSeq(trx, conversationId);
    const at = nowInstant();
    const abandoned = !byOperator && (await abandonWithin(trx, conversation, at));
    if (!abandoned) await closeConversation(trx, conversationId, { operatorClosed: byOperator, at });
    const row = await trx
      .selectFrom('conversation')
      .select('outcome')
      .where('id', '=', conversationId)
      .executeTakeFirstOrThrow();
    return {
      conversation,
      operatorClosed: byOperator,
      outcome: row.outcome,
      entries: await entriesAfter(trx, conversationId, before),
    };
  });
  const { conversation } = closed;
  return {
    conversationId,
    websiteId: conversation.website_id,
    channel: conversation.channel,
    visitorId: conversation.visitor_id,
    operatorId: conversation.operator_id,
    operatorClosed: closed.operatorClosed,
    outcome: closed.outcome,
    entries: closed.entries,
  };
}

// ——— Settings ———

/**
 * Sets how a website's live conversations choose an operator (`least_loaded` or `round_robin`; null: back to the
 * default, least loaded). Writes and announces (`website.updated`) only a real change. 404 for an absent website.
 */
export async function setRoutingStrategy(
  db: Kysely<Database>,
  websiteId: number,
  strategy: string | null,
): Promise<void> {
  const value = strategy === null ? null : ROUTING_STRATEGIES.find((known) => known === strategy);
  if (value === undefined) throw fieldInvalid('routing_strategy', `Expected ${ROUTING_STRATEGIES.join(' or ')}.`);
  await transact(db, async (trx) => {
    const website = await trx
      .selectFrom('website')
      .select(['id', 'client_id', 'routing_strategy'])
      .where('id', '=', websiteId)
      .executeTakeFirst();
    if (!website) throw unknownResource('website', websiteId);
    if (website.routing_strategy === value) return;
    const at = nowInstant();
    await trx
      .updateTable('website')
      .set({ routing_strategy: value, updated_at: at })
      .where('id', '=', websiteId)
      .execute();
    await appendEvent(trx, {
      type: 'website.updated',
      clientId: website.client_id,
      subject: { type: 'website', id: websiteId },
      payload: { changed: ['routing_strategy'], routingStrategy: value },
      at,
    });
  });
}
