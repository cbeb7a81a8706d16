// Fan-out after commit: what a command changed, published on the bus for every node's sockets.
//
// The one rule (design.md §1): publish only after the command's transaction committed. Every history entry carries its
// `seq`; a socket that receives seq > last+1 reads the gap from the database first, and drops seq <= last. A lost
// publish (a node dying between commit and publish) therefore only delays an entry until the conversation's next one,
// or until the client resumes. State messages carry the conversation's `last_seq` for the same reason.
import type { Kysely } from 'kysely';
import type { DeliveryState, ProviderError } from '../channels/adapter.js';
import type { Database } from '../db/schema.js';
import { type Bus, topics } from './bus.js';
import { entryPayload } from './messages.js';
import { conversationState, type HistoryRow } from './store.js';

/** Publishes committed changes on the bus: called by the realtime fan-out reaction (fanout.ts) and the gateway itself. */
export class RealtimePublisher {
  constructor(
    private readonly db: Kysely<Database>,
    readonly bus: Bus,
    private readonly onError: (error: unknown, context: string) => void,
  ) {}

  /** New history entries of a conversation, in seq order. */
  entries(conversationId: number, rows: readonly HistoryRow[]): void {
    for (const row of rows)
      this.bus.publish(topics.conversation(conversationId), { t: 'entry', c: conversationId, e: entryPayload(row) });
  }

  /**
   * A conversation's status, operator or outcome changed: its state goes to its sockets (with its last seq, so
   * they catch up on entries they missed), its operator's sockets are told it is theirs, and its website's queue
   * is announced as changed.
   */
  async conversationChanged(conversationId: number): Promise<void> {
    try {
      const state = await conversationState(this.db, conversationId);
      if (state === undefined) return;
      this.bus.publish(topics.conversation(conversationId), { t: 'state', c: conversationId, s: state });
      if (state.operatorId !== null && state.status !== 'closed')
        this.bus.publish(topics.operator(state.operatorId), { t: 'assigned', c: conversationId });
      this.queueChanged(state.websiteId);
    } catch (error) {
      this.onError(error, `publish conversation ${conversationId}`);
    }
  }

  /** An outbound message's delivery state changed (queued, sent, delivered, read, failed): operators following its conversation see it. */
  delivery(change: { conversationId: number; seq: number; state: DeliveryState; error?: ProviderError }): void {
    this.bus.publish(topics.conversation(change.conversationId), {
      t: 'delivery',
      c: change.conversationId,
      seq: change.seq,
      state: change.state,
      ...(change.error !== undefined && { error: change.error }),
    });
  }

  /** The waiting conversations of a website changed: positions and queue sizes are recomputed by the nodes showing them. */
  queueChanged(websiteId: number): void {
    this.bus.publish(topics.queue(websiteId), { t: 'queue', w: websiteId });
  }
}
