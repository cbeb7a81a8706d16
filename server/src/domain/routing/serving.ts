// Queue serving: waiting conversations in queue order go to the operators the algorithm chooses, while slots are free.
import type { Kysely } from 'kysely';
import { dialectOf } from '../../db/dialect.js';
import type { Database, RoutingStrategy } from '../../db/schema.js';
import { appendEvent } from '../../events/append.js';
import { transact } from '../../events/transact.js';
import { nowInstant } from '../../time.js';
import { startHolding } from '../people/history.js';
import { LIVE_CHANNELS, type LiveChannel } from '../people/live-schema.js';
import {
  chooseOperator,
  millisBetween,
  noteAssignment,
  type OperatorState,
  type RoutingRequest,
  strategyOf,
} from './algorithm.js';
import { type Assignment, appendSystemEntry, eventBase, OPERATOR_CHAT_ASSIGNED, type Tx } from './entries.js';
import {
  hasQueue,
  isLiveChannel,
  lockedOperatorStates,
  queuedConversations,
  type RoutedConversation,
  routingWebsite,
} from './store.js';

/**
 * Gives a waiting conversation to a chosen (locked) operator: status `open`, `assigned_at`, outcome `answered`,
 * `wait_ms`, the operator's `last_assigned_at`, the assignment notice and `conversation.assigned`.
 * Null when the conversation is no longer waiting (it cannot happen while its row is locked; the guard keeps it true).
 */
export async function assignWaiting(
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
  await startHolding(trx, {
    clientId: conversation.client_id,
    websiteId: conversation.website_id,
    conversationId: conversation.id,
    operatorId: operator.id,
    channel,
    at,
  });
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

export interface WebsiteRouting {
  id: number;
  client_id: number;
  routing_strategy: RoutingStrategy | null;
}

export interface ServeOptions {
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
export async function serveWithin(
  trx: Tx,
  website: WebsiteRouting,
  channels: readonly LiveChannel[],
  options: ServeOptions = {},
): Promise<Assignment[]> {
  const { last, avoid } = options;
  // Nothing waits (the common case after a close): no lock taken. On SQLite only, where transactions run one at a
  // time. On PostgreSQL a start that saw every slot taken may be queuing its conversation right now, holding the
  // operators' locks: the queue shows it only once that start commits, so the locks are awaited before the queue is
  // read, or the slot this pass was called for would stay free with the conversation waiting.
  if (last === undefined && dialectOf(trx) !== 'postgres' && !(await hasQueue(trx, website.id, channels))) return [];
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

export async function serveForOperator(
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
