// Queue serving as one reaction to committed events: whatever freed a slot or made one ready — an operator becoming
// available, a conversation closing or moving away, a higher limit, a new customer conversation — REST v2, v1, the
// console and the realtime protocol all commit an event, and this reaction serves the queues it concerns.
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import type { CommittedEvent, EventDispatcher } from '../../events/dispatcher.js';
import { missQueuedConversations } from './commands.js';
import { serveForOperator, serveQueue, serveQueuesForOperator } from './serving.js';
import { rerouteConversationsOf } from './transfer.js';

/** Operator fields whose change can make a waiting conversation assignable to them. */
const SERVING_FIELDS = new Set([
  'chat_max_number',
  'chat_enabled',
  'call_enabled',
  'video_enabled',
  'website_list',
  'skill_list',
]);

/** What one batch of committed events asks of routing, each operator and website once. */
export interface ServingPlan {
  /** Operators who left: their open conversations move, then waits nobody can serve end. */
  departed: number[];
  /** Operators with a slot that may have freed or opened: the queues of their websites are served. */
  operators: number[];
  /** Operators who gave a conversation away: their queues are served, without giving it straight back to them. */
  transfers: Array<{ operatorId: number; conversationId: number }>;
  /** Websites whose queue gained a conversation routing has not seen yet (customer channels). */
  websites: number[];
}

/** The events queue serving follows. */
const SERVING_EVENTS = [
  'user.disconnected',
  'user.availability_changed',
  'user.updated',
  'conversation.closed',
  'conversation.abandoned',
  'conversation.transferred',
  'conversation.updated',
  'conversation.started',
  'conversation.queued',
] as const;
type ServingEvent = CommittedEvent<(typeof SERVING_EVENTS)[number]>;

/** Reads a batch of committed events into what must be served (pure, so the rules are tested on their own). */
export function servingPlan(events: readonly ServingEvent[]): ServingPlan {
  const departed = new Set<number>();
  const operators = new Set<number>();
  const websites = new Set<number>();
  const transfers: ServingPlan['transfers'] = [];
  for (const event of events) {
    switch (event.type) {
      case 'user.disconnected':
        departed.add(event.payload.operatorId);
        break;
      case 'user.availability_changed':
        if (event.payload.available) operators.add(event.payload.operatorId);
        break;
      case 'user.updated':
        if (event.payload.changed.some((field) => SERVING_FIELDS.has(field))) operators.add(event.payload.userId);
        break;
      case 'conversation.closed':
      case 'conversation.abandoned': {
        // Only a conversation that had an operator frees a slot (an abandoned request never had one).
        const operatorId = 'operatorId' in event.payload ? event.payload.operatorId : null;
        if (operatorId !== null) operators.add(operatorId);
        break;
      }
      case 'conversation.transferred': {
        const from = event.payload.fromOperatorId;
        if (from !== null) transfers.push({ operatorId: from, conversationId: event.payload.conversationId });
        break;
      }
      case 'conversation.updated': {
        // An operator given or taken through the API: the previous one has a slot again.
        const previous = event.payload.previousOperatorId;
        if (previous !== undefined && previous !== null) operators.add(previous);
        break;
      }
      case 'conversation.started':
        // Web chat routes its own start inside its transaction; customer channels (WhatsApp, SMS, RCS) queue first.
        if (event.payload.status === 'waiting' && event.payload.source !== 'web') websites.add(event.payload.websiteId);
        break;
      case 'conversation.queued':
        // Queued by a command other than routing's own (a flow's handover): its website's queue is served. Routing
        // queues only when nobody could take it, so serving again then finds nobody, at the cost of one look.
        if (!event.payload.transferred) websites.add(event.payload.websiteId);
        break;
      default:
        break;
    }
  }
  for (const operatorId of departed) operators.delete(operatorId);
  for (const transfer of transfers) operators.delete(transfer.operatorId);
  return {
    departed: [...departed],
    operators: [...operators],
    transfers: transfers.filter((transfer) => !departed.has(transfer.operatorId)),
    websites: [...websites],
  };
}

/**
 * Registers queue serving on `dispatcher`. It runs on the node that committed the event (once, not on every node);
 * its own commands commit `conversation.assigned`, `conversation.transferred`… which the realtime fan-out announces.
 */
export function registerQueueServing(dispatcher: EventDispatcher, db: Kysely<Database>): () => void {
  return dispatcher.on(
    SERVING_EVENTS,
    async (events) => {
      const plan = servingPlan(events);
      for (const operatorId of plan.departed) {
        await rerouteConversationsOf(db, operatorId);
        // Whoever is still waiting on their websites with nobody left to answer is told so now, not at the timeout.
        const links = await db
          .selectFrom('operator_website')
          .select('website_id')
          .where('operator_id', '=', operatorId)
          .execute();
        for (const link of links) await missQueuedConversations(db, link.website_id);
      }
      for (const { operatorId, conversationId } of plan.transfers)
        await serveForOperator(db, operatorId, { avoid: { conversationId, operatorId } });
      for (const operatorId of plan.operators) await serveQueuesForOperator(db, operatorId);
      for (const websiteId of plan.websites) await serveQueue(db, { websiteId });
    },
    { name: 'queue serving' },
  );
}
