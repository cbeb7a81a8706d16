// Live routing commands for the realtime gateway: start, serve queues, transfer, close, abandon and miss conversations.
// Each runs in one transaction that writes its rows and appends its events; the algorithm is documented in algorithm.ts.
import type { Kysely, Transaction } from 'kysely';
import {
  type ConversationMessageRow,
  type ConversationOutcome,
  type Database,
  MESSAGE_KIND,
  type RoutingStrategy,
} from '../../db/schema.js';
import { ApiError, conflict, fieldInvalid, unknownResource } from '../../errors.js';
import { appendEvent } from '../../events/append.js';
import { transact } from '../../events/transact.js';
import { nowInstant } from '../../http/time.js';
import { appendMessage, closeConversation, openConversation } from '../conversations/commands.js';
import { LIVE_CHANNELS, type LiveChannel } from '../people/live-schema.js';
import {
  channelCapacity,
  chooseOperator,
  millisBetween,
  noteAssignment,
  type OperatorState,
  ROUTING_STRATEGIES,
  type RoutingRequest,
  strategyOf,
} from './algorithm.js';
import { lockRows } from './locks.js';
import { type QueueStatus, queueStatus } from './queue.js';
import {
  assertSkillOfClient,
  countReadyOperators,
  hasQueue,
  isLiveChannel,
  loadsOf,
  lockedOperatorStates,
  queuedConversations,
  type RoutedConversation,
  routedConversation,
  routingWebsite,
} from './store.js';

type Tx = Transaction<Database>;

/** System notice of an assignment (its `data`: `{"event":"assigned","operator_id":N}`). */
export const OPERATOR_CHAT_ASSIGNED = 'OPERATOR_CHAT_ASSIGNED';
/** System notice of a transfer (its `data`: `{"event":"transferred","from":N,"to":M,…}`). */
export const OPERATOR_CHAT_TRANSFERRED = 'OPERATOR_CHAT_TRANSFERRED';

/** A conversation given to an operator by routing: what the gateway announces to both sides. */
export interface Assignment {
  conversationId: number;
  websiteId: number;
  clientId: number;
  channel: LiveChannel;
  visitorId: number;
  operatorId: number;
  /** From the visitor's request to the first assignment (a conversation sent back to the queue keeps its first wait). */
  waitMs: number;
  /** The system entry announcing the assignment (its `seq` orders it in the conversation). */
  entry: ConversationMessageRow;
}

/** Fields every routing event carries (seed 003's webhooks name conversation, website, visitor and channel). */
function eventBase(conversation: RoutedConversation) {
  return {
    conversationId: conversation.id,
    websiteId: conversation.website_id,
    clientId: conversation.client_id,
    channel: conversation.channel,
    visitorId: conversation.visitor_id,
    skillId: conversation.skill_id,
  };
}

/** Appends a system entry with its JSON details. */
async function appendSystemEntry(
  trx: Tx,
  conversationId: number,
  text: string,
  data: Record<string, unknown>,
  at: string,
): Promise<ConversationMessageRow> {
  return appendMessage(trx, conversationId, { kind: MESSAGE_KIND.system, text, at, data });
}

/** The entries of a conversation after `seq`, in order: what a command wrote, for the gateway to deliver. */
async function entriesAfter(trx: Tx, conversationId: number, seq: number): Promise<ConversationMessageRow[]> {
  return trx
    .selectFrom('conversation_message')
    .selectAll()
    .where('conversation_id', '=', conversationId)
    .where('seq', '>', seq)
    .orderBy('seq')
    .execute();
}

async function lastSeq(trx: Tx, conversationId: number): Promise<number> {
  const row = await trx
    .selectFrom('conversation')
    .select('last_seq')
    .where('id', '=', conversationId)
    .executeTakeFirstOrThrow();
  return Number(row.last_seq);
}

/**
 * Gives a waiting conversation to a chosen (locked) operator: status `open`, `assigned_at`, outcome `answered`,
 * `wait_ms`, the operator's `last_assigned_at`, the assignment notice and `conversation.assigned`.
 * Null when the conversation is no longer waiting (it cannot happen while its row is locked; the guard keeps it true).
 */
async function assignWaiting(
  trx: Tx,
  conversation: RoutedConversation,
  operator: OperatorState,
  channel: LiveChannel,
  at: string,
  run: number,
): Promise<Assignment | null> {
  // A conversation sent back to the queue by a transfer keeps the outcome and wait of its first assignment.
  const waitMs = conversation.wait_ms ?? millisBetween(conversation.created_at, at);
  const updated = await trx
    .updateTable('conversation')
    .set({
      status: 'open',
      operator_id: operator.id,
      assigned_at: at,
      outcome: conversation.outcome ?? 'answered',
      wait_ms: waitMs,
      updated_at: at,
    })
    .where('id', '=', conversation.id)
    .where('status', '=', 'waiting')
    .where('operator_id', 'is', null)
    .executeTakeFirst();
  if (Number(updated.numUpdatedRows) === 0) return null;
  await trx.updateTable('operator').set({ last_assigned_at: at }).where('id', '=', operator.id).execute();
  noteAssignment(operator, channel, at, run);
  const entry = await appendSystemEntry(
    trx,
    conversation.id,
    OPERATOR_CHAT_ASSIGNED,
    { event: 'assigned', operator_id: operator.id },
    at,
  );
  await appendEvent(trx, {
    type: 'conversation.assigned',
    clientId: conversation.client_id,
    subject: { type: 'conversation', id: conversation.id },
    payload: {
      ...eventBase(conversation),
      operatorId: operator.id,
      waitMs,
      queued: conversation.queued_at !== null,
      seq: entry.seq,
    },
    at,
  });
  return {
    conversationId: conversation.id,
    websiteId: conversation.website_id,
    clientId: conversation.client_id,
    channel,
    visitorId: conversation.visitor_id,
    operatorId: operator.id,
    waitMs,
    entry,
  };
}

interface WebsiteRouting {
  id: number;
  client_id: number;
  routing_strategy: RoutingStrategy | null;
}

interface ServeOptions {
  /** A conversation placed at the end of the queue for this pass (a start not yet queued, a transfer back to the queue). */
  last?: RoutedConversation;
  /** An operator who may not take one conversation (the one who transferred it away). */
  avoid?: { conversationId: number; operatorId: number };
  /**
   * Only these operators: the transaction already holds their locks. A transaction takes its operator locks in one
   * statement (in id order); locking more later could wait crosswise with another transaction.
   */
  operatorIds?: readonly number[];
}

/**
 * Serves a website's queue on some channels inside the caller's transaction: waiting conversations in queue order
 * (those another node is serving are skipped), each to the operator the algorithm chooses, while operators have slots.
 * The operators are locked before the queue is read, so a conversation queued by a transaction that held them
 * is seen in its place.
 */
async function serveWithin(
  trx: Tx,
  website: WebsiteRouting,
  channels: readonly LiveChannel[],
  options: ServeOptions = {},
): Promise<Assignment[]> {
  const { last, avoid } = options;
  // Nothing waits (the common case after a close): no lock taken.
  if (last === undefined && !(await hasQueue(trx, website.id, channels))) return [];
  const operators = await lockedOperatorStates(trx, {
    websiteId: website.id,
    channels,
    ...(options.operatorIds !== undefined && { operatorIds: options.operatorIds }),
  });
  if (operators.length === 0) return [];
  const queued = await queuedConversations(trx, website.id, channels, 'skip_locked');
  const line = last === undefined ? queued : [...queued.filter((conversation) => conversation.id !== last.id), last];
  const strategy = strategyOf(website.routing_strategy);
  const hasFreeSlot = () =>
    operators.some((operator) =>
      channels.some(
        (channel) =>
          operator.channels[channel].ready && operator.channels[channel].load < operator.channels[channel].capacity,
      ),
    );
  const assignments: Assignment[] = [];
  for (const conversation of line) {
    if (!hasFreeSlot()) break;
    if (!isLiveChannel(conversation.channel)) continue;
    const request: RoutingRequest = {
      channel: conversation.channel,
      skillId: conversation.skill_id,
      excludeOperatorId: avoid?.conversationId === conversation.id ? avoid.operatorId : null,
    };
    const chosen = chooseOperator(operators, request, strategy);
    if (chosen === undefined) continue;
    const assignment = await assignWaiting(
      trx,
      conversation,
      chosen,
      conversation.channel,
      nowInstant(),
      assignments.length + 1,
    );
    if (assignment !== null) assignments.push(assignment);
  }
  return assignments;
}

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
  userAgent?: string | null;
  /** The visitor's first message; kept even when nobody answers (a message left). */
  text?: string | null;
  /** The sender's own id for that first message (idempotent resends). */
  clientMessageId?: string | null;
  /** More of the same change, written in the start's transaction (the offline form's email on the visitor). */
  alsoInTransaction?: (trx: Transaction<Database>, clientId: number) => Promise<void>;
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
  return transact(db, async (trx) => {
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
  });
}

// ——— Queue serving ———

/**
 * Serves the queues of one website, or of every website of a client, each website in its own transaction: waiting
 * conversations in queue order go to operators with free slots. Call it whenever a slot may have freed (a
 * conversation closed, an operator connected, became available or got more slots). Returns the assignments made.
 */
export async function serveQueue(
  db: Kysely<Database>,
  scope: { websiteId: number } | { clientId: number },
): Promise<Assignment[]> {
  const websiteIds =
    'websiteId' in scope
      ? [scope.websiteId]
      : (
          await db.selectFrom('website').select('id').where('client_id', '=', scope.clientId).orderBy('id').execute()
        ).map((row) => row.id);
  return serveWebsites(db, websiteIds, {});
}

/** Serves the queues of every website the operator answers on (after their slot freed or they became available). */
export async function serveQueuesForOperator(db: Kysely<Database>, operatorId: number): Promise<Assignment[]> {
  return serveForOperator(db, operatorId, {});
}

async function serveForOperator(
  db: Kysely<Database>,
  operatorId: number,
  options: Pick<ServeOptions, 'avoid'>,
): Promise<Assignment[]> {
  const links = await db
    .selectFrom('operator_website')
    .select('website_id')
    .where('operator_id', '=', operatorId)
    .orderBy('website_id')
    .execute();
  return serveWebsites(
    db,
    links.map((link) => link.website_id),
    options,
  );
}

async function serveWebsites(
  db: Kysely<Database>,
  websiteIds: readonly number[],
  options: Pick<ServeOptions, 'avoid'>,
): Promise<Assignment[]> {
  const assignments: Assignment[] = [];
  for (const websiteId of websiteIds) {
    const made = await transact(db, async (trx) =>
      serveWithin(trx, await routingWebsite(trx, websiteId), LIVE_CHANNELS, options),
    );
    assignments.push(...made);
  }
  return assignments;
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
  /** Waiting conversations the freed slot went to (the operator's websites' queues were served). */
  served: Assignment[];
}

/**
 * Closes a live conversation (existing closeConversation: `operator_closed`, closing notice, `conversation.closed`)
 * and then serves the queues of the operator whose slot freed, in a second transaction. A visitor leaving a
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
  const served = conversation.operator_id !== null ? await serveQueuesForOperator(db, conversation.operator_id) : [];
  return {
    conversationId,
    websiteId: conversation.website_id,
    channel: conversation.channel,
    visitorId: conversation.visitor_id,
    operatorId: conversation.operator_id,
    operatorClosed: closed.operatorClosed,
    outcome: closed.outcome,
    entries: closed.entries,
    served,
  };
}

// ——— Transfer ———

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
  /** Other conversations assigned meanwhile: the queue of the website and those of the operator who gave it away were served. */
  served: Assignment[];
}

/** Refuses (409 naming why) an operator who cannot take a transferred conversation now; reads their row under lock. */
async function transferableOperator(
  trx: Tx,
  conversation: RoutedConversation,
  channel: LiveChannel,
  operatorId: number,
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
    throw conflict(`Operator ${operatorId} already has conversation ${conversation.id}.`);
  const linked = await trx
    .selectFrom('operator_website')
    .select('operator_id')
    .where('operator_id', '=', operatorId)
    .where('website_id', '=', conversation.website_id)
    .executeTakeFirst();
  if (!linked) throw conflict(`Operator ${operatorId} does not answer on website ${conversation.website_id}.`);
  if (operator.connected !== 1) throw conflict(`Operator ${operatorId} is not connected.`);
  if (enabled !== 1) throw conflict(`Operator ${operatorId} cannot process ${channel} (${channel}_enabled is false).`);
  if (available !== 1) throw conflict(`Operator ${operatorId} is not available for ${channel}.`);
  const load = (await loadsOf(trx, [operatorId])).get(`${operatorId}:${channel}`) ?? 0;
  const capacity = channelCapacity(channel, operator.chat_max_number);
  if (load >= capacity)
    throw conflict(`Operator ${operatorId} has no free ${channel} slot (${load} of ${capacity} taken).`);
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
): Promise<Transfer> {
  const done = await transact(db, async (trx) => {
    const conversation = await routedConversation(trx, conversationId, { lock: true });
    if (conversation.status === 'closed') throw conflict(`Conversation ${conversationId} is closed.`);
    const channel = conversation.channel;
    if (!isLiveChannel(channel))
      throw conflict(
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
      await transferableOperator(trx, conversation, channel, target.operatorId);
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
        throw conflict(
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
  const freed =
    done.from !== null
      ? await serveForOperator(db, done.from, { avoid: { conversationId, operatorId: done.from } })
      : [];
  return {
    conversationId,
    websiteId: done.conversation.website_id,
    channel: done.channel,
    visitorId: done.conversation.visitor_id,
    fromOperatorId: done.from,
    toOperatorId: done.to,
    queued: done.queued,
    entries: done.entries,
    served: [...done.served, ...freed],
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
