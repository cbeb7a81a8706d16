// Operator presence from real sockets: connected on the first socket, disconnected a grace period after the last one
// closed on every node, and never kept online by the sockets of a node that died.
//
// Each node counts its own sockets per operator. With Redis, the registry also holds, per operator, a hash of the
// nodes that have a socket of theirs or are in their grace period (`causerie:rt:presence:<operator>`), and every node
// keeps a heartbeat key (`causerie:rt:node:<node>`) that expires when the node stops refreshing it. When a grace
// period runs out on a node, the operator is disconnected only if no live node holds a socket of theirs. A node that
// dies stops its heartbeat: a periodic reaper (one node at a time, under a Redis lock) removes its entries and
// disconnects the operators it leaves without any live node — the expiry of the heartbeat acts as their grace period.
import type { Redis } from 'ioredis';

/** Where the per-node socket counts are shared (or not, on a single node). */
export interface PresenceRegistry {
  /** This node holds at least one socket of the operator. */
  add(operatorId: number, clientId: number): Promise<void>;
  /** This node's last socket of the operator closed: its grace period runs (a crash now still ends in a disconnect). */
  releasing(operatorId: number, clientId: number): Promise<void>;
  /** This node is done with the operator (grace period over). */
  remove(operatorId: number): Promise<void>;
  /** Whether a live node other than this one holds a socket of the operator. */
  heldElsewhere(operatorId: number): Promise<boolean>;
  /** Marks this node alive; run every heartbeat. */
  heartbeat(): Promise<void>;
  /** Operators left without any live node by nodes that died; each is returned once. */
  reap(): Promise<Array<{ operatorId: number; clientId: number }>>;
}

/** One node: nothing is shared, nobody else holds sockets. */
export class LocalPresenceRegistry implements PresenceRegistry {
  async add(): Promise<void> {}
  async releasing(): Promise<void> {}
  async remove(): Promise<void> {}
  async heldElsewhere(): Promise<boolean> {
    return false;
  }
  async heartbeat(): Promise<void> {}
  async reap(): Promise<Array<{ operatorId: number; clientId: number }>> {
    return [];
  }
}

const KEY = {
  operator: (operatorId: number) => `causerie:rt:presence:${operatorId}`,
  node: (nodeId: string) => `causerie:rt:node:${nodeId}`,
  index: 'causerie:rt:presence-index',
  reaper: 'causerie:rt:presence-reaper',
} as const;

/** Hash values: the client id, with this suffix while the node's grace period runs. */
const GRACE = ':grace';

interface Holders {
  /** Live nodes holding a socket. */
  holding: string[];
  /** Live nodes whose grace period runs: they will decide. */
  releasing: string[];
  /** Entries of nodes whose heartbeat expired (removed by this read). */
  dead: string[];
  clientId: number | null;
}

/**
 * Several nodes sharing a Redis: per operator a hash node id → client id (`…:grace` while that node's grace period
 * runs), per node a heartbeat key expiring after `nodeTtlMs`, and an index of operators for the reaper.
 */
export class RedisPresenceRegistry implements PresenceRegistry {
  constructor(
    private readonly redis: Redis,
    private readonly nodeId: string,
    /** How long a node counts as alive after its last heartbeat. */
    private readonly nodeTtlMs: number,
    /** How often heartbeats run: the reaper's lock lasts about this long, so one node reaps per period. */
    private readonly heartbeatMs: number,
  ) {}

  async add(operatorId: number, clientId: number): Promise<void> {
    await this.redis
      .multi()
      .set(KEY.node(this.nodeId), '1', 'PX', this.nodeTtlMs)
      .hset(KEY.operator(operatorId), this.nodeId, String(clientId))
      .sadd(KEY.index, String(operatorId))
      .exec();
  }

  async releasing(operatorId: number, clientId: number): Promise<void> {
    await this.redis.hset(KEY.operator(operatorId), this.nodeId, `${clientId}${GRACE}`);
  }

  async remove(operatorId: number): Promise<void> {
    await this.redis.hdel(KEY.operator(operatorId), this.nodeId);
  }

  /** The nodes listing the operator, by kind; entries of dead nodes are dropped on the way. */
  private async holders(operatorId: number): Promise<Holders> {
    const entries = await this.redis.hgetall(KEY.operator(operatorId));
    const nodes = Object.keys(entries);
    const result: Holders = { holding: [], releasing: [], dead: [], clientId: null };
    if (nodes.length === 0) return result;
    const alive = await this.redis.mget(nodes.map((node) => KEY.node(node)));
    nodes.forEach((node, index) => {
      const value = entries[node] ?? '';
      result.clientId ??= Number.parseInt(value, 10);
      if (alive[index] === null) result.dead.push(node);
      else if (value.endsWith(GRACE)) result.releasing.push(node);
      else result.holding.push(node);
    });
    if (result.dead.length > 0) await this.redis.hdel(KEY.operator(operatorId), ...result.dead);
    return result;
  }

  async heldElsewhere(operatorId: number): Promise<boolean> {
    const { holding } = await this.holders(operatorId);
    return holding.some((node) => node !== this.nodeId);
  }

  async heartbeat(): Promise<void> {
    await this.redis.set(KEY.node(this.nodeId), '1', 'PX', this.nodeTtlMs);
  }

  async reap(): Promise<Array<{ operatorId: number; clientId: number }>> {
    const locked = await this.redis.set(KEY.reaper, this.nodeId, 'PX', Math.max(500, this.heartbeatMs - 100), 'NX');
    if (locked !== 'OK') return [];
    const orphaned: Array<{ operatorId: number; clientId: number }> = [];
    for (const member of await this.redis.smembers(KEY.index)) {
      const operatorId = Number(member);
      const { holding, releasing, dead, clientId } = await this.holders(operatorId);
      if (holding.length > 0 || releasing.length > 0) continue;
      await this.redis.srem(KEY.index, member);
      // No entry and no dead node: the operator's last node already ended its grace period itself.
      if (dead.length > 0 && clientId !== null && Number.isSafeInteger(clientId))
        orphaned.push({ operatorId, clientId });
    }
    return orphaned;
  }
}

/** What the tracker does when presence changes; the gateway gives the database commands. */
export interface PresenceActions {
  connect(operatorId: number, clientId: number): Promise<void>;
  disconnect(operatorId: number, clientId: number): Promise<void>;
  onError(error: unknown, context: string): void;
}

interface LocalOperator {
  clientId: number;
  sockets: number;
}

/**
 * Counts this node's sockets per operator and applies the grace period. Timers exist per operator whose last local
 * socket closed (never per socket), and are cleared when one comes back.
 */
export class PresenceTracker {
  private readonly local = new Map<number, LocalOperator>();
  private readonly graceTimers = new Map<number, { clientId: number; timer: NodeJS.Timeout }>();
  /** Disconnects under way, so a socket opening meanwhile reconnects after them, not before. */
  private readonly settling = new Map<number, Promise<void>>();

  constructor(
    private readonly registry: PresenceRegistry,
    private readonly actions: PresenceActions,
    private readonly graceMs: number,
  ) {}

  /** A socket of the operator opened on this node: connected (if not already), and any pending disconnect cancelled. */
  async opened(operatorId: number, clientId: number): Promise<void> {
    const pending = this.graceTimers.get(operatorId);
    if (pending !== undefined) {
      clearTimeout(pending.timer);
      this.graceTimers.delete(operatorId);
    }
    const entry = this.local.get(operatorId);
    if (entry !== undefined) {
      entry.sockets += 1;
    } else {
      this.local.set(operatorId, { clientId, sockets: 1 });
      await this.registry.add(operatorId, clientId);
    }
    await this.settling.get(operatorId);
    await this.actions.connect(operatorId, clientId);
  }

  /** A socket of the operator closed on this node: the last one starts the grace period. */
  closed(operatorId: number): void {
    const entry = this.local.get(operatorId);
    if (entry === undefined) return;
    entry.sockets -= 1;
    if (entry.sockets > 0) return;
    this.local.delete(operatorId);
    this.registry
      .releasing(operatorId, entry.clientId)
      .catch((error: unknown) => this.actions.onError(error, 'presence registry'));
    const timer = setTimeout(() => this.graceEnded(operatorId, entry.clientId), this.graceMs);
    this.graceTimers.set(operatorId, { clientId: entry.clientId, timer });
  }

  private graceEnded(operatorId: number, clientId: number): void {
    this.graceTimers.delete(operatorId);
    if (this.local.has(operatorId)) return;
    const run = (async () => {
      if (this.local.has(operatorId)) return;
      const elsewhere = await this.registry.heldElsewhere(operatorId);
      if (this.local.has(operatorId)) return;
      await this.registry.remove(operatorId);
      if (!elsewhere) await this.actions.disconnect(operatorId, clientId);
    })()
      .catch((error: unknown) => this.actions.onError(error, 'presence grace'))
      .finally(() => this.settling.delete(operatorId));
    this.settling.set(operatorId, run);
  }

  /** Heartbeat and reaping of dead nodes; the gateway runs it on its periodic sweep. */
  async sweep(): Promise<void> {
    await this.registry.heartbeat();
    for (const orphan of await this.registry.reap()) {
      if (this.local.has(orphan.operatorId)) continue;
      await this.actions.disconnect(orphan.operatorId, orphan.clientId);
    }
  }

  /** Another node disconnected the operator while this one holds a socket of theirs (a race): connect them again. */
  async reassert(operatorId: number): Promise<void> {
    const entry = this.local.get(operatorId);
    if (entry !== undefined) await this.actions.connect(operatorId, entry.clientId);
  }

  /**
   * Shutting down. On a single node the grace periods still running end now (nobody else could end them). With a
   * shared registry they are left as they are: this node's entries stay marked, its heartbeat expires, and the reaper
   * disconnects the operators no other node holds by then — so a rolling restart does not disconnect operators whose
   * sockets move to another node.
   */
  async close(shared: boolean): Promise<void> {
    const pending = [...this.graceTimers.entries()];
    for (const [, { timer }] of pending) clearTimeout(timer);
    this.graceTimers.clear();
    if (!shared) {
      for (const [operatorId, { clientId }] of pending) {
        if (!this.local.has(operatorId))
          await this.actions
            .disconnect(operatorId, clientId)
            .catch((error: unknown) => this.actions.onError(error, 'presence close'));
      }
    }
    await Promise.allSettled([...this.settling.values()]);
  }
}
