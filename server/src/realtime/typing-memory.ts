// What the visitor's HTTP polls say about operator typing: followed on the bus per conversation, never stored.
import { MESSAGE_KIND } from '../db/schema.js';
import { type Bus, type Subscription, topics } from './bus.js';
import type { RealtimeMessage } from './messages.js';

/** How long an operator's `typing on` counts without an `off`, an operator message or a close (a lost `off`). */
const TYPING_HOLD_MS = 30_000;
/** A conversation nobody polled on this node for this long is no longer followed. */
const WATCH_IDLE_MS = 60_000;

interface Watch {
  subscription: Subscription;
  polledAt: number;
  /** When the operator's last `typing on` arrived; null when they are not typing. */
  typingSince: number | null;
}

/**
 * What the poll says about operator typing, which is never stored: this node follows the bus topic of every
 * conversation polled here (from its first poll, until nobody polled it for a minute) and remembers the operator's
 * last typing state. The bus carries typing between nodes, so a poll landing on any node knows it — from that node's
 * second poll of the conversation on (the first one subscribes).
 */
export class OperatorTypingMemory {
  private readonly watched = new Map<number, Watch>();

  constructor(
    private readonly bus: Bus,
    private readonly now: () => number = Date.now,
  ) {}

  /** Follows the conversation (if not yet) and answers whether an operator is typing in it. */
  poll(conversationId: number): boolean {
    const now = this.now();
    const watch = this.follow(conversationId, now);
    return watch.typingSince !== null && now - watch.typingSince < TYPING_HOLD_MS;
  }

  /**
   * Follows a conversation this node just started over HTTP, before its operator is told: typing that comes before
   * the visitor's first poll of it is then not missed. Resolves once the bus delivers its messages here.
   */
  watch(conversationId: number): Promise<void> {
    return this.follow(conversationId, this.now()).subscription.ready;
  }

  private follow(conversationId: number, now: number): Watch {
    this.sweep(now);
    let watch = this.watched.get(conversationId);
    if (watch === undefined) {
      const created: Watch = {
        subscription: { ready: Promise.resolve(), unsubscribe: () => undefined },
        polledAt: now,
        typingSince: null,
      };
      created.subscription = this.bus.subscribe(topics.conversation(conversationId), (message) =>
        this.receive(created, message),
      );
      this.watched.set(conversationId, created);
      watch = created;
    }
    watch.polledAt = now;
    return watch;
  }

  /** Conversations followed on this node. */
  get size(): number {
    return this.watched.size;
  }

  private receive(watch: Watch, message: RealtimeMessage): void {
    if (message.t === 'typing' && message.by === 'operator') watch.typingSince = message.on ? this.now() : null;
    else if (message.t === 'entry' && message.e.kind === MESSAGE_KIND.operator) watch.typingSince = null;
    else if (message.t === 'state' && message.s.status === 'closed') watch.typingSince = null;
  }

  private sweep(now: number): void {
    for (const [conversationId, watch] of this.watched) {
      if (now - watch.polledAt < WATCH_IDLE_MS) continue;
      watch.subscription.unsubscribe();
      this.watched.delete(conversationId);
    }
  }
}
