// The node's realtime hub: its sockets, the rooms they share (one bus subscription per topic, not per socket), in-order
// exactly-once delivery by seq, presence and the single periodic sweep (keepalive, heartbeat, queue expiry).
import type { Kysely } from 'kysely';
import type { WebSocket } from 'ws';
import { type DeliveryState, isProviderChannel, type ProviderError } from '../channels/adapter.js';
import { deliveryStates } from '../channels/outbox.js';
import type { Dialect } from '../db/dialect.js';
import type { Database } from '../db/schema.js';
import { connectOperator, disconnectOperator } from '../domain/people/presence.js';
import { expireQueuedConversations } from '../domain/routing/commands.js';
import { queueSnapshot } from '../domain/routing/queue.js';
import { ApiError } from '../errors.js';
import { type Bus, type Subscription, topics } from './bus.js';
import { type Connection, OperatorConnection, VisitorConnection } from './connection.js';
import {
  deliveryFrame,
  entryFrame,
  operatorConversationView,
  visibleToVisitor,
  visitorConversationView,
} from './frames.js';
import { type ConversationState, type EntryPayload, entryPayload, type RealtimeMessage } from './messages.js';
import { type PresenceRegistry, PresenceTracker } from './presence.js';
import { conversationCard, conversationState, HISTORY_PAGE, type HistoryRow, historyAfter } from './store.js';
import { MessageWriter } from './writer.js';

export interface GatewayOptions {
  /** Causerie's public URL: the widget's iframe origin, accepted on visitor sockets. */
  publicUrl: string;
  /** Presence grace period (config.presenceGraceMs). */
  graceMs: number;
  /** The node's single periodic sweep: presence heartbeat and reaping every tick. */
  tickMs: number;
  /** Keepalive: every this many ticks, sockets that did not answer the previous ping are closed and the others pinged. */
  pingEveryTicks: number;
  /** A queued visitor waiting longer ends as `missed_busy` (checked every `expireEveryTicks` ticks). */
  maxQueueWaitMs: number;
  expireEveryTicks: number;
}

interface Room {
  members: Set<Connection>;
  subscription: Subscription;
}

export interface Logger {
  error(object: object, message: string): void;
}

export class Gateway {
  /** Every socket of this node. */
  readonly connections = new Map<WebSocket, Connection>();
  private readonly rooms = new Map<string, Room>();
  readonly presence: PresenceTracker;
  private ticker: NodeJS.Timeout | null = null;
  private ticks = 0;
  private sweeping = false;
  /** Queue refreshes under way per website, and whether another change came meanwhile. */
  private readonly queueRefresh = new Map<number, { again: boolean }>();
  private closed = false;
  /** Messages, notes and navigation entries go through here: group commit. */
  readonly writer: MessageWriter;

  /**
   * Another tab of this visitor started a conversation: this tab takes it up. Set by the plugin to the visitor
   * protocol's handler (visitor.ts), which needs the gateway itself — hence a property, not an import.
   */
  visitorTabStarted: (connection: VisitorConnection, conversationId: number, visitorId: number) => Promise<void> =
    async () => undefined;

  constructor(
    readonly db: Kysely<Database>,
    dialect: Dialect,
    readonly bus: Bus,
    registry: PresenceRegistry,
    readonly options: GatewayOptions,
    readonly log: Logger,
  ) {
    this.writer = new MessageWriter(db, dialect);
    this.presence = new PresenceTracker(
      registry,
      {
        connect: (operatorId, clientId) => connectOperator(db, clientId, operatorId),
        disconnect: (operatorId, clientId) => this.disconnectOperator(operatorId, clientId),
        onError: (error, context) => this.report(error, context),
      },
      options.graceMs,
    );
  }

  get publicUrl(): string {
    return this.options.publicUrl;
  }

  /** Logs an unexpected failure; never throws. */
  report(error: unknown, context: string): void {
    this.log.error({ err: error }, `realtime: ${context}`);
  }

  start(): void {
    this.ticker = setInterval(() => void this.sweep(), this.options.tickMs);
    this.ticker.unref();
  }

  // ——— Sockets ———

  add(connection: Connection): void {
    this.connections.set(connection.socket, connection);
  }

  /** A socket closed: it leaves its rooms; an operator's last socket starts the presence grace period. */
  remove(socket: WebSocket): void {
    const connection = this.connections.get(socket);
    if (connection === undefined) return;
    this.connections.delete(socket);
    connection.gone = true;
    for (const topic of [...(connection.topics ?? [])]) this.leave(connection, topic);
    connection.following = null;
    if (connection instanceof OperatorConnection) this.presence.closed(connection.operatorId);
  }

  // ——— Rooms ———

  /** Puts the socket in a topic's room; resolves once the node receives that topic's messages. */
  join(connection: Connection, topic: string): Promise<void> {
    if (connection.gone) return Promise.resolve();
    let room = this.rooms.get(topic);
    if (room === undefined) {
      const subscription = this.bus.subscribe(topic, (message) => this.dispatch(topic, message));
      room = { members: new Set(), subscription };
      this.rooms.set(topic, room);
    }
    room.members.add(connection);
    connection.topics ??= new Set();
    connection.topics.add(topic);
    return room.subscription.ready;
  }

  leave(connection: Connection, topic: string): void {
    connection.topics?.delete(topic);
    const room = this.rooms.get(topic);
    if (room === undefined) return;
    room.members.delete(connection);
    if (room.members.size > 0) return;
    room.subscription.unsubscribe();
    this.rooms.delete(topic);
  }

  /** How many rooms the node holds (bus topics subscribed). */
  get roomCount(): number {
    return this.rooms.size;
  }

  private dispatch(topic: string, message: RealtimeMessage): void {
    const room = this.rooms.get(topic);
    if (room === undefined) return;
    const members = [...room.members];
    switch (message.t) {
      case 'entry':
        for (const member of members) this.deliverEntry(member, message.c, message.e);
        return;
      case 'state':
        for (const member of members) this.deliverState(member, message.s);
        return;
      case 'typing':
        for (const member of members) {
          if (member.role !== message.by && member.lastSeq(message.c) !== undefined)
            member.send({ type: 'typing', conversation_id: message.c, on: message.on });
        }
        return;
      case 'read':
        for (const member of members) {
          if (member.role !== message.by && member.lastSeq(message.c) !== undefined)
            member.send({ type: 'read', conversation_id: message.c, by: message.by, seq: message.seq });
        }
        return;
      case 'delivery':
        for (const member of members)
          if (member instanceof OperatorConnection) this.deliverDelivery(member, message.c, message);
        return;
      case 'assigned':
        for (const member of members)
          if (member instanceof OperatorConnection) this.operatorAssigned(member, message.c);
        return;
      case 'disconnected':
        this.presence.reassert(message.o).catch((error: unknown) => this.report(error, 'presence reassert'));
        return;
      case 'queue':
        this.refreshQueue(message.w);
        return;
      case 'visitor_started':
        for (const member of members) {
          if (member instanceof VisitorConnection)
            this.visitorTabStarted(member, message.c, message.v).catch((error: unknown) =>
              this.report(error, 'visitor tab'),
            );
        }
        return;
    }
  }

  // ——— Delivery by seq ———

  /** Starts following a conversation from `afterSeq`: joins its room, then reads what came after. Run it on the outbound lane. */
  async follow(connection: Connection, conversationId: number, afterSeq: number): Promise<HistoryRow[]> {
    if (connection.gone) return [];
    const already = connection.lastSeq(conversationId);
    connection.following ??= new Map();
    connection.following.set(conversationId, already === undefined ? afterSeq : Math.min(already, afterSeq));
    await this.join(connection, topics.conversation(conversationId));
    const rows: HistoryRow[] = [];
    let last = afterSeq;
    for (;;) {
      const page = await historyAfter(this.db, conversationId, last);
      rows.push(...page);
      if (page.length < HISTORY_PAGE) break;
      last = Number(page[page.length - 1]?.seq ?? last);
    }
    const end = rows.length > 0 ? Number(rows[rows.length - 1]?.seq) : afterSeq;
    if (connection.following !== null)
      connection.following.set(conversationId, Math.max(end, connection.lastSeq(conversationId) ?? 0));
    return rows;
  }

  unfollow(connection: Connection, conversationId: number): void {
    connection.following?.delete(conversationId);
    this.leave(connection, topics.conversation(conversationId));
  }

  /** Sends one entry to a socket, if its audience sees it. */
  present(connection: Connection, conversationId: number, entry: EntryPayload): void {
    if (connection.role === 'visitor' && !visibleToVisitor(entry.kind)) return;
    connection.send(entryFrame(conversationId, entry, connection.role));
  }

  /** Sends rows as entry frames (notes skipped for visitors). */
  presentRows(connection: Connection, conversationId: number, rows: readonly HistoryRow[]): void {
    for (const row of rows) this.present(connection, conversationId, entryPayload(row));
  }

  /**
   * A live entry: delivered at once when it is the next one and nothing is pending, dropped when already delivered,
   * and otherwise queued behind pending work, where a gap is read from the database first.
   */
  deliverEntry(connection: Connection, conversationId: number, entry: EntryPayload): void {
    const last = connection.lastSeq(conversationId);
    if (last === undefined) return;
    if (!connection.outboundBusy) {
      if (entry.seq <= last) return;
      if (entry.seq === last + 1) {
        connection.following?.set(conversationId, entry.seq);
        this.present(connection, conversationId, entry);
        return;
      }
    }
    connection.outbound(() => this.catchUp(connection, conversationId, entry.seq, entry));
  }

  /** Brings a socket up to `upTo` in a conversation: the given entry when it is next, else the gap read from the database. */
  async catchUp(connection: Connection, conversationId: number, upTo: number, entry?: EntryPayload): Promise<void> {
    let last = connection.lastSeq(conversationId);
    if (last === undefined || upTo <= last) return;
    if (entry !== undefined && entry.seq === last + 1) {
      connection.following?.set(conversationId, entry.seq);
      this.present(connection, conversationId, entry);
      return;
    }
    for (;;) {
      const rows = await historyAfter(this.db, conversationId, last);
      for (const row of rows) {
        const current = connection.lastSeq(conversationId);
        if (current === undefined) return;
        if (Number(row.seq) <= current) continue;
        connection.following?.set(conversationId, Number(row.seq));
        this.present(connection, conversationId, entryPayload(row));
      }
      last = connection.lastSeq(conversationId);
      if (rows.length < HISTORY_PAGE || last === undefined) return;
    }
  }

  /** A conversation's state changed: the socket first catches up to the state's last seq, then is told. */
  deliverState(connection: Connection, state: ConversationState): void {
    if (connection.lastSeq(state.id) === undefined) return;
    connection.outbound(async () => {
      await this.catchUp(connection, state.id, state.lastSeq);
      if (connection.lastSeq(state.id) === undefined) return;
      if (connection instanceof VisitorConnection) {
        this.visitorStateChanged(connection, state);
      } else if (state.operatorId !== connection.operatorId) {
        connection.send({
          type: 'unassigned',
          conversation_id: state.id,
          operator_id: state.operatorId,
          status: state.status,
        });
        this.unfollow(connection, state.id);
      } else {
        connection.send({ type: 'conversation', conversation: operatorConversationView(state) });
        if (state.status === 'closed') this.unfollow(connection, state.id);
      }
    });
  }

  private visitorStateChanged(connection: VisitorConnection, state: ConversationState): void {
    if (connection.conversationId !== state.id) return;
    connection.send({ type: 'conversation', conversation: visitorConversationView(state) });
    const queueTopic = topics.queue(state.websiteId);
    if (state.status === 'waiting') {
      void this.join(connection, queueTopic);
    } else {
      this.leave(connection, queueTopic);
      connection.queuePosition = 0;
      connection.queueEstimate = 0;
    }
    if (state.status === 'closed') this.unfollow(connection, state.id);
  }

  // ——— Operators ———

  /** The conversation was given to this operator: its state, visitor and history, then live entries. */
  operatorAssigned(connection: OperatorConnection, conversationId: number): void {
    connection.outbound(async () => {
      if (connection.lastSeq(conversationId) !== undefined) return;
      const state = await conversationState(this.db, conversationId);
      if (state === undefined || state.operatorId !== connection.operatorId || state.status === 'closed') return;
      connection.send(await this.assignedFrame(connection, state));
    });
  }

  /** Follows a conversation from its start and builds the `assigned` frame (run on the outbound lane). */
  async assignedFrame(connection: OperatorConnection, state: ConversationState) {
    const history = await this.follow(connection, state.id, 0);
    const card = await conversationCard(this.db, state.id);
    const fresh = { ...state, lastSeq: Math.max(state.lastSeq, connection.lastSeq(state.id) ?? 0) };
    // WhatsApp, SMS and RCS replies carry where they stand; web chat has no provider delivery to read.
    const deliveries =
      card !== undefined && isProviderChannel(card.source)
        ? new Map((await deliveryStates(this.db, state.id)).map((delivery) => [delivery.seq, delivery]))
        : undefined;
    return {
      type: 'assigned' as const,
      conversation: operatorConversationView(fresh, card),
      history: history.map((row) => {
        const frame = entryFrame(state.id, entryPayload(row), 'operator');
        const delivery = deliveries?.get(frame.seq);
        return delivery === undefined
          ? frame
          : {
              ...frame,
              delivery: { state: delivery.state, ...(delivery.error !== undefined && { error: delivery.error }) },
            };
      }),
    };
  }

  /** Delivery states of a followed conversation's messages after `afterSeq` as `delivery` frames (after a resume). */
  async presentDeliveries(connection: OperatorConnection, conversationId: number, afterSeq: number): Promise<void> {
    for (const delivery of await deliveryStates(this.db, conversationId, afterSeq))
      connection.send(deliveryFrame(conversationId, delivery));
  }

  /**
   * A live delivery change: sent behind any entries still pending on the socket's outbound lane, so the console
   * never gets the state of a message it has not been shown yet.
   */
  private deliverDelivery(
    connection: OperatorConnection,
    conversationId: number,
    change: { seq: number; state: DeliveryState; error?: ProviderError },
  ): void {
    if (connection.lastSeq(conversationId) === undefined) return;
    const frame = deliveryFrame(conversationId, change);
    if (!connection.outboundBusy) connection.send(frame);
    else connection.outbound(async () => connection.send(frame));
  }

  /**
   * Presence ended for an operator (grace period over, or their node died): disconnect. Their conversations move and
   * waits nobody can serve end through the queue-serving reaction to `user.disconnected`, as for an API disconnect.
   */
  private async disconnectOperator(operatorId: number, clientId: number): Promise<void> {
    await disconnectOperator(this.db, clientId, operatorId).catch((error: unknown) => {
      // A deleted operator was disconnected by the deletion.
      if (!(error instanceof ApiError && error.httpStatus === 404)) throw error;
    });
    this.bus.publish(topics.operator(operatorId), { t: 'disconnected', o: operatorId });
  }

  // ——— Queues ———

  /** Recomputes a website's queue once per change burst and pushes changed positions and sizes to the sockets showing them. */
  refreshQueue(websiteId: number): void {
    const running = this.queueRefresh.get(websiteId);
    if (running !== undefined) {
      running.again = true;
      return;
    }
    const state = { again: false };
    this.queueRefresh.set(websiteId, state);
    void (async () => {
      try {
        do {
          state.again = false;
          const room = this.rooms.get(topics.queue(websiteId));
          if (room === undefined) break;
          const snapshot = await queueSnapshot(this.db, websiteId);
          const byConversation = new Map(snapshot.map((entry) => [entry.conversationId, entry]));
          for (const member of room.members) {
            if (member instanceof OperatorConnection) {
              if (member.waiting.get(websiteId) !== snapshot.length) {
                member.waiting.set(websiteId, snapshot.length);
                member.send({ type: 'queue', website_id: websiteId, waiting: snapshot.length });
              }
              continue;
            }
            const mine = member.conversationId === null ? undefined : byConversation.get(member.conversationId);
            if (mine === undefined) continue;
            if (mine.position === member.queuePosition && mine.estimatedWaitSeconds === member.queueEstimate) continue;
            member.queuePosition = mine.position;
            member.queueEstimate = mine.estimatedWaitSeconds;
            member.send({
              type: 'queue',
              conversation_id: mine.conversationId,
              position: mine.position,
              estimated_wait_seconds: mine.estimatedWaitSeconds,
            });
          }
        } while (state.again && !this.closed);
      } catch (error) {
        this.report(error, `queue of website ${websiteId}`);
      } finally {
        this.queueRefresh.delete(websiteId);
      }
    })();
  }

  // ——— The periodic sweep ———

  /** One tick: presence heartbeat and dead-node reaping; every few ticks, keepalive pings and queue expiry. */
  async sweep(): Promise<void> {
    if (this.sweeping || this.closed) return;
    this.sweeping = true;
    this.ticks += 1;
    try {
      if (this.ticks % this.options.pingEveryTicks === 0) this.keepalive();
      await this.presence.sweep();
      if (this.ticks % this.options.expireEveryTicks === 0) await this.expireQueues();
    } catch (error) {
      this.report(error, 'sweep');
    } finally {
      this.sweeping = false;
    }
  }

  /** Closes sockets that did not answer the previous ping (and visitors that never said hello), pings the others. */
  keepalive(): void {
    for (const connection of this.connections.values()) {
      if (!connection.alive) {
        connection.socket.terminate();
        continue;
      }
      if (connection instanceof VisitorConnection && connection.site === null) {
        connection.idleSweeps += 1;
        if (connection.idleSweeps >= 2) {
          connection.socket.close(4408, 'No hello received.');
          continue;
        }
      }
      connection.alive = false;
      connection.socket.ping();
    }
  }

  /** Ends the waits longer than the maximum, on the websites that have such waits. */
  private async expireQueues(): Promise<void> {
    const limit = new Date(Date.now() - this.options.maxQueueWaitMs).toISOString();
    const rows = await this.db
      .selectFrom('conversation')
      .select('website_id')
      .distinct()
      .where('status', '=', 'waiting')
      .where('queued_at', '<=', limit)
      .execute();
    for (const { website_id: websiteId } of rows)
      await expireQueuedConversations(this.db, websiteId, this.options.maxQueueWaitMs);
  }

  /** Stops the sweep and the presence timers (sockets are closed by the WebSocket server). */
  async close(shared: boolean): Promise<void> {
    this.closed = true;
    if (this.ticker !== null) clearInterval(this.ticker);
    for (const socket of [...this.connections.keys()]) this.remove(socket);
    await this.presence.close(shared);
    for (const room of this.rooms.values()) room.subscription.unsubscribe();
    this.rooms.clear();
  }
}
