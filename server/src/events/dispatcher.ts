// Reactions to committed events: after a transaction commits, its events are handed to the reactions registered for them.
//
// The one rule (design.md §1): routes and commands change rows and append events; everything that reacts — realtime
// fan-out, queue serving, cache invalidation — subscribes here instead of being called by the route. Durable work
// (webhook deliveries, channel sends) is not a reaction: it is rows written in the command's own transaction and
// claimed by workers, so it survives a crash. Reactions are in-memory and best effort: a node killed between commit
// and dispatch loses them, which is why each one must be repairable by the next event or by a client's resume (the
// realtime sockets fill seq gaps from the database; the queue is served again on the next change).
import type { ConversationMessageRow } from '../db/schema.js';
import type { EventPayload, EventType } from './catalogue.js';
import { eventProblems } from './check.js';

interface CommittedEventOf<T extends EventType> {
  type: T;
  partnerId: number | null;
  clientId: number | null;
  subject: { type: string; id: number };
  /** Of its type's schema (events/catalogue.ts): `switch (event.type)` narrows it. */
  payload: EventPayload<T>;
  at: string;
  /**
   * The history entry a `message.created` announces, as the command wrote it: in memory only (never stored, never
   * relayed), so the realtime fan-out publishes it without reading it back.
   */
  message?: ConversationMessageRow;
}

/**
 * An event as its transaction committed it, handed to reactions (on the node that committed it, or relayed): one of
 * the types `T` (any by default), told apart by `type`.
 */
export type CommittedEvent<T extends EventType = EventType> = { [K in T]: CommittedEventOf<K> }[T];

/** A reaction receives the matching events of one transaction, in the order they were appended. */
export type Reaction<T extends EventType = EventType> = (events: readonly CommittedEvent<T>[]) => Promise<void> | void;

export interface ReactionOptions {
  /** Shown in logs when the reaction fails. */
  name: string;
  /**
   * `origin` (default): runs on the node that committed the events — for work that must happen once (serving a
   * queue, publishing to the realtime bus, which reaches every node itself). `every_node`: runs on every node,
   * relayed over the bus (Redis when several nodes run) — for state each node keeps in memory (caches).
   */
  where?: 'origin' | 'every_node';
}

/** How events reach the other nodes: the realtime bus plugs in here (in-process, or Redis). */
export interface EventRelay {
  publish(events: readonly CommittedEvent[]): void;
  subscribe(handler: (events: readonly CommittedEvent[]) => void): () => void;
}

interface Registration {
  types: ReadonlySet<EventType> | 'all';
  reaction: Reaction;
  options: Required<ReactionOptions>;
}

export type ReactionErrorSink = (error: unknown, reaction: string) => void;

/** One per app: the reactions of this node, and the relay to the others. */
export class EventDispatcher {
  private readonly registrations: Registration[] = [];
  private relay: EventRelay | undefined;
  private stopRelay: (() => void) | undefined;
  /** Dispatches still running, so that shutdown and tests can wait for reactions to finish. */
  private readonly running = new Set<Promise<void>>();

  constructor(private readonly onError: ReactionErrorSink) {}

  /**
   * Registers a reaction to some event types (or `'*'` for all), which receives events of those types only; returns
   * a function that removes it.
   */
  on<T extends EventType>(types: readonly T[], reaction: Reaction<T>, options: ReactionOptions): () => void;
  on(types: '*', reaction: Reaction, options: ReactionOptions): () => void;
  on(types: readonly EventType[] | '*', reaction: Reaction<never>, options: ReactionOptions): () => void {
    const registration: Registration = {
      types: types === '*' ? 'all' : new Set(types),
      // Sound: run() hands a reaction only the events whose type it registered for.
      reaction: reaction as Reaction,
      options: { where: 'origin', ...options },
    };
    this.registrations.push(registration);
    return () => {
      const index = this.registrations.indexOf(registration);
      if (index >= 0) this.registrations.splice(index, 1);
    };
  }

  /** Relays events to and from the other nodes (set by the realtime plugin, which owns the bus). */
  connect(relay: EventRelay): void {
    this.stopRelay?.();
    this.relay = relay;
    this.stopRelay = relay.subscribe((events) => {
      this.track(this.run(this.checkedRelayed(events), 'every_node'));
    });
  }

  disconnect(): void {
    this.stopRelay?.();
    this.stopRelay = undefined;
    this.relay = undefined;
  }

  /**
   * Hands the events of one committed transaction to this node's reactions, in registration order, and relays them
   * to the other nodes' `every_node` reactions. Resolves when this node's reactions are done; never rejects (a
   * failing reaction is reported, the others still run: the change is committed whatever they do).
   */
  dispatch(events: readonly CommittedEvent[]): Promise<void> {
    if (events.length === 0) return Promise.resolve();
    if (this.relay !== undefined && this.wantsRelay(events)) this.relay.publish(events);
    const done = this.run(events, 'all');
    this.track(done);
    return done;
  }

  /** Resolves when every dispatch started so far has finished (shutdown, tests). */
  async settled(): Promise<void> {
    while (this.running.size > 0) await Promise.all([...this.running]);
  }

  /**
   * Events relayed from another node arrived as JSON, from a process that may run another version: an event that is
   * not of the catalogue, or whose payload does not match its schema, is reported and dropped rather than handed to
   * reactions that trust its type. Only `every_node` reactions see relayed events, so this costs the hot path nothing.
   */
  private checkedRelayed(events: readonly CommittedEvent[]): CommittedEvent[] {
    return events.filter((event) => {
      const problems = eventProblems(event.type, event.payload);
      if (problems.length === 0) return true;
      this.onError(new Error(`Relayed event '${event.type}' refused: ${problems.join('; ')}`), 'relay');
      return false;
    });
  }

  private wantsRelay(events: readonly CommittedEvent[]): boolean {
    return this.registrations.some(
      (registration) =>
        registration.options.where === 'every_node' && events.some((event) => matches(registration, event)),
    );
  }

  /** `all` on the committing node (origin and every_node reactions); `every_node` for events relayed from elsewhere. */
  private async run(events: readonly CommittedEvent[], which: 'all' | 'every_node'): Promise<void> {
    for (const registration of [...this.registrations]) {
      if (which === 'every_node' && registration.options.where !== 'every_node') continue;
      const matching = registration.types === 'all' ? events : events.filter((event) => matches(registration, event));
      if (matching.length === 0) continue;
      try {
        await registration.reaction(matching);
      } catch (error) {
        this.onError(error, registration.options.name);
      }
    }
  }

  private track(done: Promise<void>): void {
    this.running.add(done);
    void done.finally(() => this.running.delete(done));
  }
}

function matches(registration: Registration, event: CommittedEvent): boolean {
  return registration.types === 'all' || registration.types.has(event.type);
}
