// Keeps the hourly rollups (and with them the daily ones, days.ts) current: a reaction to committed events that
// reads the event log from its cursor, marks the hours those events touch (stats_dirty) and computes them again from
// the source rows (rollups.ts). Durable: cursor and marks are rows, so a crash or a restart resumes where the last
// committed round stopped. One node at a time does it (a lease row); any node takes over when the holder stops
// renewing.
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { type Claim, ClaimLoop } from '../../claim-loop.js';
import type { Database } from '../../db/schema.js';
import { transact } from '../../events/transact.js';
import { syncDayZones } from './days.js';
import { HOUR_MS, hourOf, hourStartMs } from './rollup-rows.js';
import { recomputePresenceHours, recomputeWebsiteHours } from './rollups.js';

const PROJECTION = 'statistics';
/** Events read per round. */
const EVENT_BATCH = 5_000;
/** Dirty buckets claimed per round. */
const BUCKET_BATCH = 200;
/** A missing id below the cursor is waited for this long (a PostgreSQL transaction still running), then forgotten. */
const GAP_PATIENCE_MS = 60_000;
const MAX_GAPS = 2_000;
const LEASE_MS = 30_000;
/** A marked hour waits this long before it is computed: a busy hour is computed about once a second, not per event. */
const SETTLE_MS = 1_000;
/**
 * An hour's computation reads all of its conversations, so it costs more as the hour fills (150 ms for 10,000 on the
 * benchmark machines). A scope marked again while it was computed waits until its computation is at most this share
 * of the time since it last began: a busy node's statistics lag a little more, the work it serves does not slow down.
 * The computation's time is its wall time, which includes the other work it gave turns to between reads: the busier
 * the node, the longer an hour waits.
 */
const COMPUTE_SHARE = 0.05;
/**
 * Commits come much faster than statistics need reading: a poke within this long of the last look is answered by one
 * look when it has passed, so the log is read in batches (each read commits its cursor: a disk flush on SQLite).
 */
const POKE_INTERVAL_MS = 200;
/** Connected operators' presence grows without events: their current hour is marked this often. */
const PRESENCE_TICK_MS = 30_000;

/** Events whose time changes some operator's state (connection, availability, load, capacity). */
const PRESENCE_EVENTS: ReadonlySet<string> = new Set([
  'user.connected',
  'user.disconnected',
  'user.availability_changed',
  'user.updated',
  'user.deleted',
  'conversation.started',
  'conversation.assigned',
  'conversation.transferred',
  'conversation.closed',
  'conversation.updated',
  'conversation.missed',
  'conversation.abandoned',
]);
/** Events naming a conversation that change nothing statistics read. */
const IGNORED_CONVERSATION_EVENTS: ReadonlySet<string> = new Set(['message.status_changed']);

interface Gap {
  id: number;
  since: number;
}

export interface Bucket {
  client_id: number;
  website_id: number;
  hour: string;
  marked_at: string;
  since: string;
}

interface EventRow {
  id: number;
  type: string;
  client_id: number | null;
  payload: string;
  created_at: string;
}

export interface ProjectionOptions {
  idlePollMs?: number;
  /** The clock (tests freeze it so a rebuild and the projection see the same now). */
  now?: () => Date;
  report?: (error: unknown, message: string) => void;
}

type BucketKey = `${number}|${number}|${string}`;

export class StatisticsProjection {
  private readonly owner = randomUUID();
  private readonly loop: ClaimLoop<Bucket>;
  private readonly now: () => Date;
  private lastPresenceTick = 0;
  private marks = 0;
  /** When this node last read the log, and whether a look is planned for when POKE_INTERVAL_MS has passed. */
  private lookedAt = 0;
  private lookPlanned: Promise<void> | undefined;
  /** Until when this node holds the lease, by its own clock (0: not held). */
  private heldUntil = 0;
  /** Events read and buckets computed since start: the benchmark and metrics read them. */
  readonly counters = { events: 0, buckets: 0 };

  constructor(
    private readonly db: Kysely<Database>,
    options: ProjectionOptions = {},
  ) {
    this.now = options.now ?? (() => new Date());
    this.loop = new ClaimLoop(
      { claim: () => this.claim(), process: (buckets) => this.process(buckets) },
      {
        work: 'statistics rollups',
        idlePollMs: options.idlePollMs ?? 1_000,
        report: options.report ?? (() => undefined),
      },
    );
  }

  start(): void {
    this.loop.start();
  }

  stop(): Promise<void> {
    return this.loop.stop();
  }

  /** New events were committed: look at once, or when POKE_INTERVAL_MS has passed since the last look. */
  poke(): void {
    const wait = this.lookedAt + POKE_INTERVAL_MS - Date.now();
    if (wait <= 0) {
      this.loop.poke();
      return;
    }
    this.lookPlanned ??= new Promise<void>((resolve) => {
      setTimeout(() => {
        this.lookPlanned = undefined;
        this.loop.poke();
        resolve();
      }, wait).unref();
    });
  }

  /** Resolves when the loop has nothing left to do right now, a planned look included (tests). */
  async settled(): Promise<void> {
    await this.lookPlanned;
    await this.loop.settled();
  }

  /** Runs rounds until the log is read to its end and no bucket is dirty (tests, the benchmark, the CLI). */
  async catchUp(): Promise<void> {
    // Presence is marked up to now once: marking it on every round would find the current hour dirty again each time
    // while an operator is connected, and never end.
    let tick = true;
    for (;;) {
      const claim = await this.claim({ forcePresenceTick: tick, now: true });
      tick = false;
      if (claim.items.length > 0) await this.process(claim.items);
      if (!claim.more && claim.items.length === 0) return;
    }
  }

  /** `now`: every marked hour, settled or not (catchUp). */
  private async claim(options: { forcePresenceTick?: boolean; now?: boolean } = {}): Promise<Claim<Bucket>> {
    if (!(await this.takeLease())) return { items: [], more: false };
    const read = await this.advance(options.forcePresenceTick === true);
    // A client new, or whose time zone changed: its days are summed (again) in its zone before its buckets.
    await syncDayZones(this.db, this.now());
    const settled = new Date(this.now().getTime() - SETTLE_MS).toISOString();
    const items = await this.db
      .selectFrom('stats_dirty')
      .selectAll()
      // `now` (catchUp) takes every marked hour, those a costly computation put off (COMPUTE_SHARE) too.
      .$if(options.now !== true, (query) => query.where('since', '<=', settled))
      .orderBy('since')
      .limit(BUCKET_BATCH)
      .execute();
    return { items, more: read === EVENT_BATCH || items.length === BUCKET_BATCH };
  }

  /**
   * Takes or renews the projection's lease. While more than half of it is left this node still holds it (others take
   * it only once it ran out), and no write is made: on SQLite each write is a flush to disk.
   */
  private async takeLease(): Promise<boolean> {
    const now = this.now();
    this.lookedAt = Date.now();
    if (this.heldUntil - now.getTime() > LEASE_MS / 2) return true;
    const result = await this.db
      .updateTable('stats_projection')
      .set({ lease_owner: this.owner, lease_until: new Date(now.getTime() + LEASE_MS).toISOString() })
      .where('name', '=', PROJECTION)
      .where((eb) =>
        eb.or([
          eb('lease_owner', 'is', null),
          eb('lease_owner', '=', this.owner),
          eb('lease_until', '<', now.toISOString()),
        ]),
      )
      .executeTakeFirst();
    const held = Number(result.numUpdatedRows) > 0;
    this.heldUntil = held ? now.getTime() + LEASE_MS : 0;
    return held;
  }

  /** Reads the next events, marks what they touch and moves the cursor, in one transaction; answers how many it read. */
  private async advance(forcePresenceTick: boolean): Promise<number> {
    const state = await this.db
      .selectFrom('stats_projection')
      .selectAll()
      .where('name', '=', PROJECTION)
      .executeTakeFirstOrThrow();
    const nowMs = this.now().getTime();
    const gaps = (JSON.parse(state.gaps) as Gap[]).filter((gap) => nowMs - gap.since < GAP_PATIENCE_MS);
    const events: EventRow[] = await this.db
      .selectFrom('event')
      .select(['id', 'type', 'client_id', 'payload', 'created_at'])
      .where('id', '>', state.cursor)
      .orderBy('id')
      .limit(EVENT_BATCH)
      .execute();
    const late: EventRow[] =
      gaps.length === 0
        ? []
        : await this.db
            .selectFrom('event')
            .select(['id', 'type', 'client_id', 'payload', 'created_at'])
            .where(
              'id',
              'in',
              gaps.map((gap) => gap.id),
            )
            .execute();
    const found = new Set(late.map((event) => event.id));
    let cursor = state.cursor;
    const nextGaps = gaps.filter((gap) => !found.has(gap.id));
    for (const event of events) {
      // Ids still in flight are at most a few hundred below the newest; a wider jump is a reset sequence, not a gap.
      if (event.id - cursor - 1 <= MAX_GAPS)
        for (let missing = cursor + 1; missing < event.id; missing++) nextGaps.push({ id: missing, since: nowMs });
      cursor = event.id;
    }
    const tick = forcePresenceTick || nowMs - this.lastPresenceTick >= PRESENCE_TICK_MS;
    const all = [...late, ...events];
    if (all.length === 0 && !tick && nextGaps.length === gaps.length) return 0;

    const buckets = await this.bucketsOf(all);
    const presenceUntil = tick ? this.now().toISOString() : state.presence_until;
    if (tick) for (const key of await this.presenceTick(state.presence_until, nowMs)) buckets.add(key);
    const since = this.now().toISOString();
    await transact(this.db, async (trx) => {
      const values = [...buckets].map((key) => {
        const [clientId, websiteId, hour] = key.split('|') as [string, string, string];
        return {
          client_id: Number(clientId),
          website_id: Number(websiteId),
          hour,
          marked_at: this.markedAt(),
          since,
        };
      });
      for (let index = 0; index < values.length; index += 200)
        await trx
          .insertInto('stats_dirty')
          .values(values.slice(index, index + 200))
          .onConflict((conflict) =>
            conflict
              .columns(['client_id', 'website_id', 'hour'])
              .doUpdateSet({ marked_at: (eb) => eb.ref('excluded.marked_at') }),
          )
          .execute();
      await trx
        .updateTable('stats_projection')
        .set({
          cursor,
          gaps: JSON.stringify(nextGaps.slice(-MAX_GAPS)),
          presence_until: presenceUntil,
          updated_at: this.now().toISOString(),
        })
        .where('name', '=', PROJECTION)
        .where('lease_owner', '=', this.owner)
        .execute();
    });
    if (tick) this.lastPresenceTick = nowMs;
    this.counters.events += all.length;
    return events.length;
  }

  /** A mark that sorts by time and differs from any earlier one: a bucket marked again while computed stays dirty. */
  private markedAt(): string {
    this.marks = (this.marks + 1) % 1_000_000;
    return `${this.now().toISOString()}#${this.owner.slice(0, 8)}${String(this.marks).padStart(6, '0')}`;
  }

  /**
   * The buckets events touch: the creation hour of each conversation named, the hours of its sales and of its survey,
   * the hour of each sale, presence hours.
   */
  private async bucketsOf(events: readonly EventRow[]): Promise<Set<BucketKey>> {
    const buckets = new Set<BucketKey>();
    const conversationIds = new Set<number>();
    const saleIds = new Set<number>();
    for (const event of events) {
      const payload = JSON.parse(event.payload) as { conversationId?: unknown; transactionId?: unknown };
      if (typeof payload.conversationId === 'number' && !IGNORED_CONVERSATION_EVENTS.has(event.type))
        conversationIds.add(payload.conversationId);
      if (event.type === 'transaction.created' && typeof payload.transactionId === 'number')
        saleIds.add(payload.transactionId);
      if (PRESENCE_EVENTS.has(event.type) && event.client_id !== null)
        buckets.add(`${event.client_id}|0|${hourOf(Date.parse(event.created_at))}`);
    }
    const ids = [...conversationIds];
    for (let index = 0; index < ids.length; index += 500) {
      const chunk = ids.slice(index, index + 500);
      const conversations = await this.db
        .selectFrom('conversation')
        .select(['client_id', 'website_id', 'created_at'])
        .where('id', 'in', chunk)
        .execute();
      for (const row of conversations)
        buckets.add(`${row.client_id}|${row.website_id}|${hourOf(Date.parse(row.created_at))}`);
      // A sale's after-contact figures depend on its conversation (answered or not).
      const sales = await this.db
        .selectFrom('sale')
        .select(['client_id', 'website_id', 'created_at'])
        .where('conversation_id', 'in', chunk)
        .execute();
      for (const row of sales) buckets.add(`${row.client_id}|${row.website_id}|${hourOf(Date.parse(row.created_at))}`);
      // A survey counts in its own hour, credited to the conversation's operator when it recorded none.
      const surveys = await this.db
        .selectFrom('satisfaction')
        .select(['client_id', 'website_id', 'created_at'])
        .where('conversation_id', 'in', chunk)
        .execute();
      for (const row of surveys)
        buckets.add(`${row.client_id}|${row.website_id}|${hourOf(Date.parse(row.created_at))}`);
    }
    const sales = [...saleIds];
    for (let index = 0; index < sales.length; index += 500) {
      const rows = await this.db
        .selectFrom('sale')
        .select(['client_id', 'website_id', 'created_at'])
        .where('id', 'in', sales.slice(index, index + 500))
        .execute();
      for (const row of rows) buckets.add(`${row.client_id}|${row.website_id}|${hourOf(Date.parse(row.created_at))}`);
    }
    return buckets;
  }

  /**
   * Presence hours that passed since the last tick for clients with an operator connected in them (an open session,
   * or one that ended since): their connected time grew without an event.
   */
  private async presenceTick(since: string, nowMs: number): Promise<BucketKey[]> {
    const rows = await this.db
      .selectFrom('presence_session')
      .select((eb) => ['client_id', eb.fn.min('started_at').as('first_start')])
      .where((eb) => eb.or([eb('ended_at', 'is', null), eb('ended_at', '>', since)]))
      .groupBy('client_id')
      .execute();
    const keys: BucketKey[] = [];
    for (const row of rows) {
      const from = hourStartMs(Math.max(Date.parse(since), Date.parse(String(row.first_start))));
      for (let hour = from; hour <= nowMs; hour += HOUR_MS) keys.push(`${row.client_id}|0|${hourOf(hour)}`);
    }
    return keys;
  }

  /** Computes the claimed buckets again, contiguous hours of a scope together, and clears their marks. */
  private async process(buckets: Bucket[]): Promise<boolean> {
    const byScope = new Map<string, Bucket[]>();
    for (const bucket of buckets) {
      const key = `${bucket.client_id}|${bucket.website_id}`;
      byScope.set(key, [...(byScope.get(key) ?? []), bucket]);
    }
    const now = this.now();
    for (const scope of byScope.values()) {
      scope.sort((a, b) => (a.hour < b.hour ? -1 : 1));
      let run: Bucket[] = [];
      const flush = async () => {
        const first = run[0];
        const last = run.at(-1);
        if (first === undefined || last === undefined) return;
        const from = first.hour;
        const to = new Date(Date.parse(last.hour) + HOUR_MS).toISOString();
        const began = performance.now();
        if (first.website_id === 0) await recomputePresenceHours(this.db, first.client_id, from, to, now);
        else await recomputeWebsiteHours(this.db, { id: first.website_id, client_id: first.client_id }, from, to);
        const spentMs = performance.now() - began;
        const putOffMs = Math.max(0, spentMs / COMPUTE_SHARE - spentMs - SETTLE_MS);
        const dueFrom = new Date(this.now().getTime() + putOffMs).toISOString();
        for (const bucket of run) {
          const done = await this.db
            .deleteFrom('stats_dirty')
            .where('client_id', '=', bucket.client_id)
            .where('website_id', '=', bucket.website_id)
            .where('hour', '=', bucket.hour)
            .where('marked_at', '=', bucket.marked_at)
            .executeTakeFirst();
          // Marked again while computed: due again a second from now, or later when computing it cost much.
          if (Number(done.numDeletedRows) === 0)
            await this.db
              .updateTable('stats_dirty')
              .set({ since: dueFrom })
              .where('client_id', '=', bucket.client_id)
              .where('website_id', '=', bucket.website_id)
              .where('hour', '=', bucket.hour)
              .execute();
        }
        this.counters.buckets += run.length;
        run = [];
      };
      for (const bucket of scope) {
        const previous = run.at(-1);
        // Runs of up to a day of consecutive hours are computed in one pass.
        if (
          previous !== undefined &&
          (Date.parse(bucket.hour) - Date.parse(previous.hour) !== HOUR_MS || run.length >= 24)
        )
          await flush();
        run.push(bucket);
      }
      await flush();
    }
    return true;
  }
}
