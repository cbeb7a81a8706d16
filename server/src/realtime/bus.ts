// The realtime bus: publish/subscribe of fan-out messages by topic, in-process (one node) or through Redis (many nodes).
//
// A node subscribes to a topic once, whatever the number of its sockets interested in it (the gateway keeps the
// sockets of a topic in a Map); the Redis bus therefore holds one subscriber connection per node, and a message is
// handed to the local handlers at once and to the other nodes through Redis (a node ignores its own echo).
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import type { EventRelay } from '../events/dispatcher.js';
import type { RealtimeMessage } from './messages.js';

export type BusHandler = (message: RealtimeMessage) => void;

/** A handler's registration on a topic. */
export interface Subscription {
  /** Resolves once messages published anywhere on the topic reach the handler (at once on the local bus). */
  ready: Promise<void>;
  unsubscribe(): void;
}

export interface Bus {
  /** This node's id: distinct for every process start. */
  readonly nodeId: string;
  /** Sends a message to every handler of the topic on every node. Fire and forget: never throws. */
  publish(topic: string, message: RealtimeMessage): void;
  subscribe(topic: string, handler: BusHandler): Subscription;
  close(): Promise<void>;
}

/** Topic names: one per conversation, per operator and per website queue. */
export const topics = {
  conversation: (conversationId: number) => `conv:${conversationId}`,
  operator: (operatorId: number) => `op:${operatorId}`,
  queue: (websiteId: number) => `queue:${websiteId}`,
  /** Every socket (tab) of one visitor on one website. */
  visitor: (websiteId: number, vuid: string) => `vis:${websiteId}:${vuid}`,
  /** Committed events relayed to the other nodes' `every_node` reactions. */
  events: 'events',
} as const;

/** The bus as the event dispatcher's relay: a node publishes its committed events and skips its own echo. */
export function busRelay(bus: Bus): EventRelay {
  return {
    // Without the in-memory message rows: the other nodes' reactions read what they need.
    publish: (events) =>
      bus.publish(topics.events, { t: 'events', n: bus.nodeId, e: events.map(({ message: _row, ...event }) => event) }),
    subscribe: (handler) => {
      const subscription = bus.subscribe(topics.events, (message) => {
        if (message.t === 'events' && message.n !== bus.nodeId) handler(message.e);
      });
      return () => subscription.unsubscribe();
    },
  };
}

/** Errors of the bus are reported here rather than thrown into the publisher. */
export type BusErrorSink = (error: unknown, context: string) => void;

/** Handlers by topic, and calling them without letting one handler's failure reach the publisher or the others. */
class HandlerTable {
  private readonly handlers = new Map<string, Set<BusHandler>>();

  constructor(private readonly onError: BusErrorSink) {}

  /** Adds a handler; true when it is the topic's first. */
  add(topic: string, handler: BusHandler): boolean {
    let set = this.handlers.get(topic);
    const first = set === undefined;
    if (set === undefined) {
      set = new Set();
      this.handlers.set(topic, set);
    }
    set.add(handler);
    return first;
  }

  /** Removes a handler; true when the topic has none left. */
  remove(topic: string, handler: BusHandler): boolean {
    const set = this.handlers.get(topic);
    if (set === undefined || !set.delete(handler)) return false;
    if (set.size > 0) return false;
    this.handlers.delete(topic);
    return true;
  }

  has(topic: string): boolean {
    return this.handlers.has(topic);
  }

  dispatch(topic: string, message: RealtimeMessage): void {
    const set = this.handlers.get(topic);
    if (set === undefined) return;
    for (const handler of set) {
      try {
        handler(message);
      } catch (error) {
        this.onError(error, `handler of ${topic}`);
      }
    }
  }

  clear(): void {
    this.handlers.clear();
  }
}

/** One process: messages go straight to the handlers. */
export class LocalBus implements Bus {
  readonly nodeId = randomUUID();
  private readonly table: HandlerTable;

  constructor(onError: BusErrorSink = () => undefined) {
    this.table = new HandlerTable(onError);
  }

  publish(topic: string, message: RealtimeMessage): void {
    this.table.dispatch(topic, message);
  }

  subscribe(topic: string, handler: BusHandler): Subscription {
    this.table.add(topic, handler);
    return { ready: Promise.resolve(), unsubscribe: () => void this.table.remove(topic, handler) };
  }

  async close(): Promise<void> {
    this.table.clear();
  }
}

/** What travels through Redis: the sending node, so it can skip its own echo, and the message. */
interface Envelope {
  n: string;
  m: RealtimeMessage;
}

const CHANNEL_PREFIX = 'causerie:rt:';

/**
 * Several nodes: Redis pub/sub on `causerie:rt:<topic>` channels. `commands` is a second connection for ordinary
 * commands (publishing, and the presence registry), since a subscribed connection can do nothing else.
 */
export class RedisBus implements Bus {
  readonly nodeId = randomUUID();
  readonly commands: Redis;
  private readonly subscriber: Redis;
  private readonly table: HandlerTable;
  /** Topics whose SUBSCRIBE was sent, with its acknowledgement. */
  private readonly subscribed = new Map<string, Promise<void>>();
  private closed = false;

  constructor(
    url: string,
    private readonly onError: BusErrorSink = () => undefined,
  ) {
    this.table = new HandlerTable(onError);
    // maxRetriesPerRequest null: while Redis is away, commands wait for the reconnection instead of failing after a few tries.
    this.commands = new Redis(url, { maxRetriesPerRequest: null, connectionName: `causerie-${this.nodeId}` });
    this.subscriber = new Redis(url, { maxRetriesPerRequest: null, connectionName: `causerie-sub-${this.nodeId}` });
    this.commands.on('error', (error: unknown) => onError(error, 'redis commands connection'));
    this.subscriber.on('error', (error: unknown) => onError(error, 'redis subscriber connection'));
    this.subscriber.on('message', (channel: string, raw: string) => this.receive(channel, raw));
  }

  publish(topic: string, message: RealtimeMessage): void {
    if (this.closed) return;
    this.table.dispatch(topic, message);
    const envelope: Envelope = { n: this.nodeId, m: message };
    this.commands
      .publish(CHANNEL_PREFIX + topic, JSON.stringify(envelope))
      .catch((error: unknown) => this.onError(error, `publish on ${topic}`));
  }

  subscribe(topic: string, handler: BusHandler): Subscription {
    this.table.add(topic, handler);
    let ready = this.subscribed.get(topic);
    if (ready === undefined) {
      ready = this.subscriber.subscribe(CHANNEL_PREFIX + topic).then(
        () => undefined,
        (error: unknown) => this.onError(error, `subscribe to ${topic}`),
      );
      this.subscribed.set(topic, ready);
    }
    return {
      ready,
      unsubscribe: () => {
        if (!this.table.remove(topic, handler) || this.closed) return;
        this.subscribed.delete(topic);
        this.subscriber
          .unsubscribe(CHANNEL_PREFIX + topic)
          .catch((error: unknown) => this.onError(error, `unsubscribe from ${topic}`));
      },
    };
  }

  private receive(channel: string, raw: string): void {
    if (!channel.startsWith(CHANNEL_PREFIX)) return;
    let envelope: Envelope;
    try {
      envelope = JSON.parse(raw) as Envelope;
    } catch (error) {
      this.onError(error, `message on ${channel}`);
      return;
    }
    if (envelope.n === this.nodeId) return;
    this.table.dispatch(channel.slice(CHANNEL_PREFIX.length), envelope.m);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.table.clear();
    this.subscribed.clear();
    // QUIT lets pending publishes leave; if Redis is unreachable it would wait for a reconnection, so cut it short.
    const quit = Promise.allSettled([this.subscriber.quit(), this.commands.quit()]);
    await Promise.race([quit, new Promise((resolve) => setTimeout(resolve, 1000).unref())]);
    this.subscriber.disconnect();
    this.commands.disconnect();
  }
}

/** The bus a configuration asks for: Redis when REDIS_URL is set, in-process otherwise. */
export function createBus(redisUrl: string | undefined, onError: BusErrorSink): Bus {
  return redisUrl === undefined ? new LocalBus(onError) : new RedisBus(redisUrl, onError);
}
