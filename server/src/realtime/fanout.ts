// Realtime fan-out as a reaction to committed events: new history entries, conversation states and delivery states
// go on the bus (in-process, or Redis to every node) whoever committed them — REST v2 or v1, the console, a channel
// worker, routing, or the realtime protocol itself.
import type { Kysely } from 'kysely';
import type { DeliveryState, ProviderError } from '../channels/adapter.js';
import type { Database } from '../db/schema.js';
import type { CommittedEvent, EventDispatcher } from '../events/dispatcher.js';
import type { RealtimePublisher } from './publisher.js';
import type { HistoryRow } from './store.js';

/** Events after which a conversation's state (status, operator, outcome, queue) is published again. */
const STATE_EVENTS = [
  'conversation.started',
  'conversation.updated',
  'conversation.closed',
  'conversation.queued',
  'conversation.assigned',
  'conversation.transferred',
  'conversation.missed',
  'conversation.abandoned',
] as const;
const IS_STATE_EVENT = new Set<string>(STATE_EVENTS);

/** The events the fan-out follows: every one names its conversation (`payload.conversationId`). */
type FanoutEvent = CommittedEvent<(typeof STATE_EVENTS)[number] | 'message.created' | 'message.status_changed'>;

/** What one batch asks the bus for: entries by conversation (a seq range), then states, then delivery states. */
export interface FanoutPlan {
  entries: Map<number, { from: number; to: number; rows: HistoryRow[] }>;
  states: number[];
  deliveries: Array<{ conversationId: number; seq: number; state: DeliveryState; error?: ProviderError }>;
}

/** Reads a batch of committed events into what must be published (pure, tested on its own). */
export function fanoutPlan(events: readonly FanoutEvent[]): FanoutPlan {
  const entries: FanoutPlan['entries'] = new Map();
  const states: number[] = [];
  const deliveries: FanoutPlan['deliveries'] = [];
  for (const event of events) {
    const conversationId = event.payload.conversationId;
    if (event.type === 'message.created') {
      const seq = event.payload.seq;
      // A reply queued for its provider is shown as queued at once (then sent, delivered… as the worker reports).
      if (event.payload.outbound === true) deliveries.push({ conversationId, seq, state: 'queued' });
      const range = entries.get(conversationId) ?? { from: seq, to: seq, rows: [] as HistoryRow[] };
      range.from = Math.min(range.from, seq);
      range.to = Math.max(range.to, seq);
      // The row the command wrote comes with its event; a relayed or rowless event is read back below.
      if (event.message !== undefined) range.rows.push(event.message);
      entries.set(conversationId, range);
    } else if (event.type === 'message.status_changed') {
      const { seq, state, error } = event.payload;
      deliveries.push({ conversationId, seq, state, ...(error !== null && { error }) });
    } else if (IS_STATE_EVENT.has(event.type) && !states.includes(conversationId)) {
      states.push(conversationId);
    }
  }
  return { entries, states, deliveries };
}

/**
 * Registers the fan-out on `dispatcher`. It runs on the committing node only: the bus itself carries what it
 * publishes to every node's sockets. Entries come with their events (the rows the commands wrote); a batch missing
 * some is read back by seq range, one query per conversation. A socket that misses an entry (this node died after
 * commit) reads the gap from the database on the next one.
 */
export function registerRealtimeFanout(
  dispatcher: EventDispatcher,
  db: Kysely<Database>,
  publisher: RealtimePublisher,
): () => void {
  return dispatcher.on(
    [...STATE_EVENTS, 'message.created', 'message.status_changed'],
    async (events) => {
      const plan = fanoutPlan(events);
      for (const [conversationId, range] of plan.entries) {
        if (range.rows.length === range.to - range.from + 1) {
          publisher.entries(
            conversationId,
            [...range.rows].sort((a, b) => Number(a.seq) - Number(b.seq)),
          );
          continue;
        }
        const rows = await db
          .selectFrom('conversation_message')
          .select(['seq', 'kind', 'body', 'operator_id', 'created_at', 'data', 'client_message_id'])
          .where('conversation_id', '=', conversationId)
          .where('seq', '>=', range.from)
          .where('seq', '<=', range.to)
          .orderBy('seq')
          .execute();
        publisher.entries(conversationId, rows);
      }
      for (const conversationId of plan.states) await publisher.conversationChanged(conversationId);
      for (const change of plan.deliveries) publisher.delivery(change);
    },
    { name: 'realtime fan-out' },
  );
}
