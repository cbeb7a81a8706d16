// A durable reader of the event log for the reactions that must not miss an event (the messenger's delivery reports
// and replies, the flows' triggers): a named row of `flow_event_cursor` holds the cursor, the ids below it not
// committed yet (PostgreSQL commits ids out of order, so a bare id cursor would skip them) and a lease, so one node at
// a time reads. An event's effects and the cursor's move commit in one transaction: a crash reads the events again and
// loses none.
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { nowInstant } from '../time.js';
import { type Tx, transact } from './transact.js';

const EVENT_BATCH = 1_000;
/** An id missing this long was rolled back, not late: it is no longer waited for. */
const GAP_PATIENCE_MS = 60_000;
const MAX_GAPS = 2_000;
const LEASE_MS = 30_000;

interface Gap {
  id: number;
  since: number;
}

/** An event's id and type, as read before the feed picks the events it wants. */
export interface EventHead {
  id: number;
  type: string;
}

export interface CursorFeedOptions {
  /** Events read at most per round (default 1,000). */
  batch?: number;
  /**
   * Which types are wanted, asked once a round with the events read (a feed whose wanted types depend on those events,
   * as the flows' does on flow changes); default: the feed's fixed types.
   */
  wants?: (read: readonly EventHead[]) => Promise<(type: string) => boolean>;
  /** Runs the transaction that moves the cursor and applies the events (default: a transaction of its own). */
  commit?: (work: (trx: Tx) => Promise<void>) => Promise<void>;
  /** Told when another node holds the lease (what this node kept of the events may be stale by then). */
  onLeaseLost?: () => void;
}

/** One committed event, as the feed hands it over. */
export interface FedEvent {
  id: number;
  type: string;
  client_id: number | null;
  subject_type: string;
  subject_id: number;
  payload: string;
  created_at: string;
}

export class CursorFeed {
  /** Until when this node holds the feed's lease, by its own clock (0: not held). */
  private heldUntil = 0;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly name: string,
    private readonly owner: string,
    private readonly types: ReadonlySet<string>,
    /** The events' effects, in the transaction that moves the cursor past them. */
    private readonly apply: (trx: Tx, events: readonly FedEvent[]) => Promise<void>,
    private readonly options: CursorFeedOptions = {},
  ) {}

  /** Takes or renews the lease; while more than half of it is left no write is made. */
  private async lease(now: number): Promise<boolean> {
    if (this.heldUntil - now > LEASE_MS / 2) return true;
    const leased = await this.db
      .updateTable('flow_event_cursor')
      .set({ lease_owner: this.owner, lease_until: new Date(now + LEASE_MS).toISOString() })
      .where('name', '=', this.name)
      .where((eb) =>
        eb.or([
          eb('lease_owner', 'is', null),
          eb('lease_owner', '=', this.owner),
          eb('lease_until', '<', new Date(now).toISOString()),
        ]),
      )
      .executeTakeFirst();
    if (Number(leased.numUpdatedRows) === 0) {
      this.heldUntil = 0;
      this.options.onLeaseLost?.();
      return false;
    }
    this.heldUntil = now + LEASE_MS;
    return true;
  }

  /** Reads the next events if this node holds the lease; answers whether there may be more at once. */
  async advance(): Promise<boolean> {
    const now = Date.now();
    if (!(await this.lease(now))) return false;
    const state = await this.db
      .selectFrom('flow_event_cursor')
      .selectAll()
      .where('name', '=', this.name)
      .executeTakeFirstOrThrow();
    const gaps = (JSON.parse(state.gaps) as Gap[]).filter((gap) => now - gap.since < GAP_PATIENCE_MS);
    const ids = await this.db
      .selectFrom('event')
      .select(['id', 'type'])
      .where('id', '>', state.cursor)
      .orderBy('id')
      .limit(this.options.batch ?? EVENT_BATCH)
      .execute();
    const late =
      gaps.length === 0
        ? []
        : await this.db
            .selectFrom('event')
            .select(['id', 'type'])
            .where(
              'id',
              'in',
              gaps.map((gap) => gap.id),
            )
            .execute();
    const found = new Set(late.map((event) => event.id));
    const nextGaps = gaps.filter((gap) => !found.has(gap.id));
    let cursor = state.cursor;
    for (const event of ids) {
      if (event.id - cursor - 1 <= MAX_GAPS)
        for (let missing = cursor + 1; missing < event.id; missing++) nextGaps.push({ id: missing, since: now });
      cursor = event.id;
    }
    if (ids.length === 0 && late.length === 0 && nextGaps.length === gaps.length) return false;
    const read = [...late, ...ids];
    const wants =
      this.options.wants === undefined ? (type: string) => this.types.has(type) : await this.options.wants(read);
    const wanted = read.filter((event) => wants(event.type)).map((event) => event.id);
    const events: FedEvent[] =
      wanted.length === 0
        ? []
        : await this.db
            .selectFrom('event')
            .select(['id', 'type', 'client_id', 'subject_type', 'subject_id', 'payload', 'created_at'])
            .where('id', 'in', wanted)
            .orderBy('id')
            .execute();
    const commit = this.options.commit ?? ((work: (trx: Tx) => Promise<void>) => transact(this.db, work));
    await commit(async (trx) => {
      const moved = await trx
        .updateTable('flow_event_cursor')
        .set({ cursor, gaps: JSON.stringify(nextGaps.slice(-MAX_GAPS)), updated_at: nowInstant() })
        .where('name', '=', this.name)
        .where('lease_owner', '=', this.owner)
        .executeTakeFirst();
      if (Number(moved.numUpdatedRows) !== 1) {
        this.heldUntil = 0;
        throw new Error(`The ${this.name} feed's lease was taken over.`);
      }
      if (events.length > 0) await this.apply(trx, events);
    });
    return ids.length === (this.options.batch ?? EVENT_BATCH);
  }
}
