// Answers to reads, kept until the data under them changes. Integrators poll the same lists over and over (the
// iAdvize clients page through conversations and operators; the console refreshes its views), and most polls find
// nothing new. A GET's answer is kept per reader (the principal: what it may see) and URL, stamped with the generation
// of that reader's data; every committed event of a client moves its generation on (a reaction on every node, so
// another node's write is seen there as soon as its events are relayed), so a kept answer is only served while no
// change was committed since it was made. Answers also age out after a second: what depends on the clock (the default
// three-month window, durations of open conversations) and a change made without an event stay fresh within that
// (plus the time one request takes to make the answer again, while the others are served the one it replaces).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Principal } from '../domain/tenancy/policy.js';
import type { CommittedEvent } from '../events/dispatcher.js';

export interface ReadCacheOptions {
  /** How long an answer may be served at most, whatever the events say. */
  maxAgeMs: number;
  /** All kept answers together, in bytes of their bodies; past it, the least recently used go. */
  maxBytes: number;
  /** Larger answers are not kept (exports of a whole day). */
  maxEntryBytes: number;
  /** How long a request waits for the same answer being made by another before making it itself. */
  waitForAnswerMs: number;
}

export const DEFAULT_READ_CACHE: ReadCacheOptions = {
  maxAgeMs: 1_000,
  maxBytes: 64 * 1024 * 1024,
  maxEntryBytes: 1024 * 1024,
  // Bounded: a request that never finishes must not hold the others.
  waitForAnswerMs: 5_000,
};

export interface Entry {
  generation: number;
  storedAt: number;
  contentType: string;
  /** Encoded once: a hit writes these bytes as they are. */
  body: Buffer;
  /** The route pattern that made it (metrics' label for answers served before routing). */
  route: string;
}

/** What a request that missed remembers, to keep its answer under the generation it started from. */
interface Ticket {
  key: string;
  generation: number;
  /** Tells the requests that arrived meanwhile for the same answer that it is made (or that it failed). */
  settle: () => void;
}

/** An answer being made: later requests for it wait for it instead of making it again. */
interface InFlight {
  generation: number;
  made: Promise<void>;
}

const tickets = new WeakMap<FastifyRequest, Ticket>();

/** Resolves when `done` does, or after `ms` at the latest. */
function within(done: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ms);
  });
  return Promise.race([done, late]).finally(() => clearTimeout(timer));
}

/** Who reads: answers differ by scope, client, partner and, for a console session, operator and roles. */
function readerOf(principal: Principal): string {
  switch (principal.scope) {
    case 'platform':
      return 'platform';
    case 'partner':
      return `partner:${principal.partnerId}`;
    case 'client':
      return principal.session === undefined
        ? `client:${principal.clientId}`
        : `client:${principal.clientId}:operator:${principal.session.operatorId}:${principal.session.roles.join(',')}`;
    case 'developer':
      return `developer:${principal.developerId}`;
  }
}

export class ReadCache {
  private readonly entries = new Map<string, Entry>();
  private bytes = 0;
  /** Moves on with every event: what partner and platform keys read spans clients. */
  private everything = 0;
  /** Moves on with events of no client (partners). */
  private unscoped = 0;
  private readonly clients = new Map<number, number>();
  private readonly inFlight = new Map<string, InFlight>();
  hits = 0;
  misses = 0;
  /** Hits served by `fresh`, i.e. before routing (counted in `hits` too). */
  frontDoorHits = 0;

  constructor(
    private readonly options: ReadCacheOptions = DEFAULT_READ_CACHE,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** The reaction to committed events (on every node): the data of their clients changed. */
  invalidate(events: readonly CommittedEvent[]): void {
    for (const event of events) {
      this.everything += 1;
      if (event.clientId === null) this.unscoped += 1;
      else this.clients.set(event.clientId, (this.clients.get(event.clientId) ?? 0) + 1);
    }
  }

  /**
   * A write through the API moves the writer's generation on even when its command appends no event (a webhook
   * replay queues deliveries, a key's last use is noted): whoever wrote reads the result next, on this node.
   */
  wrote(principal: Principal): void {
    this.everything += 1;
    if (principal.scope === 'client')
      this.clients.set(principal.clientId, (this.clients.get(principal.clientId) ?? 0) + 1);
    else this.unscoped += 1;
  }

  /** The generation of what a reader sees; it only grows, and grows with every change the reader could see. */
  generationOf(principal: Principal): number {
    return principal.scope === 'client' ? (this.clients.get(principal.clientId) ?? 0) + this.unscoped : this.everything;
  }

  /**
   * The answer kept for `key` if it was made under `generation`: fresh within its age; past it, still returned with
   * `fresh: false` so one request refreshes it while the others are served the answer being replaced. An answer of
   * another generation is dropped: it is never served.
   */
  get(key: string, generation: number): { entry: Entry; fresh: boolean } | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.generation !== generation) {
      this.drop(key, entry);
      return undefined;
    }
    // Most recently used last: the map's order is the eviction order.
    this.entries.delete(key);
    this.entries.set(key, entry);
    return { entry, fresh: this.now() - entry.storedAt <= this.options.maxAgeMs };
  }

  set(key: string, generation: number, contentType: string, text: string, route = ''): void {
    if (text.length > this.options.maxEntryBytes) return;
    const earlier = this.entries.get(key);
    if (earlier !== undefined) this.drop(key, earlier);
    const body = Buffer.from(text);
    this.entries.set(key, { generation, storedAt: this.now(), contentType, body, route });
    this.bytes += body.length;
    for (const [oldestKey, oldest] of this.entries) {
      if (this.bytes <= this.options.maxBytes) break;
      this.drop(oldestKey, oldest);
    }
  }

  get size(): number {
    return this.entries.size;
  }

  private drop(key: string, entry: Entry): void {
    this.entries.delete(key);
    this.bytes -= entry.body.length;
  }

  /**
   * Serves GETs of `app`'s routes from the cache once the principal is known: call `lookUp` right after
   * authentication, in the same hook; `install` registers the hooks that keep fresh answers.
   */
  install(app: FastifyInstance): void {
    // Callback style: these run on every answer, hits included, and need no promise.
    app.addHook('onSend', (request, reply, payload, done) => {
      // Before the answer leaves, so the writer's next read cannot overtake it.
      if (request.method !== 'GET' && request.method !== 'HEAD' && request.principal !== undefined)
        this.wrote(request.principal);
      const ticket = tickets.get(request);
      if (ticket !== undefined && reply.statusCode === 200 && typeof payload === 'string') {
        const contentType = reply.getHeader('content-type');
        if (typeof contentType === 'string')
          this.set(ticket.key, ticket.generation, contentType, payload, request.routeOptions.url ?? '');
      }
      done(null, payload);
    });
    // Whatever happened (an error, a client gone before the answer), the waiting requests go on.
    app.addHook('onResponse', (request, _reply, done) => {
      tickets.get(request)?.settle();
      done();
    });
    app.addHook('onRequestAbort', (request, done) => {
      tickets.get(request)?.settle();
      done();
    });
  }

  /**
   * The kept answer to a GET of `url` by `principal` when it is current and fresh, counted as a hit; anything else
   * (nothing kept, past its age, another generation) is left to `lookUp` on the routed request. Lets the front door
   * (http/front-door.ts) answer before Fastify: the entry was made by a routed, authenticated request of the same
   * reader for the same raw URL, so it answers exactly what routing would.
   */
  fresh(principal: Principal, url: string): Entry | undefined {
    if (this.options.maxAgeMs === 0) return undefined;
    const kept = this.get(`${readerOf(principal)} ${url}`, this.generationOf(principal));
    if (kept === undefined || !kept.fresh) return undefined;
    this.hits += 1;
    this.frontDoorHits += 1;
    return kept.entry;
  }

  /**
   * Answers a GET from the cache (true: the reply is sent), or notes what to keep when its answer is made. When the
   * same answer is being made for another request (fifty integrations polling the list that just changed), waits for
   * it rather than making it again.
   */
  lookUp(request: FastifyRequest, reply: FastifyReply): boolean | Promise<boolean> {
    if (request.method !== 'GET' || this.options.maxAgeMs === 0) return false;
    const key = `${readerOf(request.principal)} ${request.url}`;
    const generation = this.generationOf(request.principal);
    let pending = this.inFlight.get(key);
    if (pending !== undefined && pending.generation !== generation) pending = undefined;
    const kept = this.get(key, generation);
    // Past its age and being refreshed by another request: served meanwhile (nothing was committed under it).
    if (kept !== undefined && (kept.fresh || pending !== undefined)) return this.serve(reply, kept.entry);
    // Only waiting for another request's answer needs a promise: hits and misses are answered at once.
    if (pending !== undefined) return this.awaitAnswer(request, reply, key, generation, pending);
    return this.ticket(request, key, generation, pending);
  }

  private async awaitAnswer(
    request: FastifyRequest,
    reply: FastifyReply,
    key: string,
    generation: number,
    pending: InFlight,
  ): Promise<boolean> {
    await within(pending.made, this.options.waitForAnswerMs);
    const kept = this.get(key, generation);
    if (kept?.fresh === true) return this.serve(reply, kept.entry);
    return this.ticket(request, key, generation, pending);
  }

  /** A miss: the request makes the answer, kept when it is sent (`install`'s onSend). */
  private ticket(request: FastifyRequest, key: string, generation: number, pending: InFlight | undefined): false {
    this.misses += 1;
    let resolveMade: () => void = () => undefined;
    const made = new Promise<void>((resolve) => {
      resolveMade = resolve;
    });
    const settle = () => {
      if (this.inFlight.get(key)?.made === made) this.inFlight.delete(key);
      resolveMade();
    };
    // Only the first to miss makes it; one that waited and still missed (an error, an entry too large) makes its own.
    if (pending === undefined) this.inFlight.set(key, { generation, made });
    tickets.set(request, { key, generation, settle });
    return false;
  }

  private serve(reply: FastifyReply, entry: Entry): true {
    this.hits += 1;
    void reply.code(200).header('content-type', entry.contentType).send(entry.body);
    return true;
  }
}
