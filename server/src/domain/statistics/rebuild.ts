// `causerie stats rebuild`: computes the hourly rollups again from the source rows, day by day, for every website and
// every client's presence (or one client's), over a period or over everything recorded.
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import { syncDayZones } from './days.js';
import { HOUR_MS, hourStartMs } from './rollup-rows.js';
import { recomputePresenceHours, recomputeWebsiteHours } from './rollups.js';

const DAY_MS = 24 * HOUR_MS;

export interface RebuildOptions {
  clientId?: number;
  /** First instant (ISO) to rebuild; default: the first conversation, sale or presence session. */
  from?: string;
  /** Instant (ISO) to stop at; default: now. */
  to?: string;
  now?: Date;
  /** Told after each day computed, with the share done (0..1): the CLI prints progress. */
  progress?: (done: number, day: string) => void;
}

export interface RebuildReport {
  days: number;
  rows: number;
  ms: number;
}

async function firstRecorded(db: Kysely<Database>, clientId: number | undefined): Promise<number | null> {
  const earliest = async (table: 'conversation' | 'sale' | 'presence_session', column: 'created_at' | 'started_at') => {
    let query = db.selectFrom(table).select((eb) => eb.fn.min<string>(column).as('first'));
    if (clientId !== undefined) query = query.where('client_id', '=', clientId);
    const row = await query.executeTakeFirst();
    return row?.first ? Date.parse(row.first) : null;
  };
  const firsts = [
    await earliest('conversation', 'created_at'),
    await earliest('sale', 'created_at'),
    await earliest('presence_session', 'started_at'),
  ].filter((value): value is number => value !== null);
  return firsts.length === 0 ? null : Math.min(...firsts);
}

/** Rebuilds the rollups of [from, to) (hour-aligned outward). Safe while the projection runs: both write whole hours. */
export async function rebuildStatistics(db: Kysely<Database>, options: RebuildOptions = {}): Promise<RebuildReport> {
  const started = Date.now();
  const now = options.now ?? new Date();
  const first = options.from !== undefined ? Date.parse(options.from) : await firstRecorded(db, options.clientId);
  if (first === null) return { days: 0, rows: 0, ms: Date.now() - started };
  const from = hourStartMs(first);
  const to = hourStartMs((options.to !== undefined ? Date.parse(options.to) : now.getTime()) - 1) + HOUR_MS;
  let clients = db.selectFrom('client').select('id');
  if (options.clientId !== undefined) clients = clients.where('id', '=', options.clientId);
  const clientIds = (await clients.execute()).map((row) => row.id);
  let websites = db.selectFrom('website').select(['id', 'client_id']);
  if (options.clientId !== undefined) websites = websites.where('client_id', '=', options.clientId);
  const websiteRows = await websites.execute();

  let rows = 0;
  let days = 0;
  const total = Math.max(1, Math.ceil((to - from) / DAY_MS));
  for (let dayStart = from; dayStart < to; dayStart += DAY_MS) {
    const dayFrom = new Date(dayStart).toISOString();
    const dayTo = new Date(Math.min(dayStart + DAY_MS, to)).toISOString();
    for (const website of websiteRows) rows += await recomputeWebsiteHours(db, website, dayFrom, dayTo);
    for (const clientId of clientIds) rows += await recomputePresenceHours(db, clientId, dayFrom, dayTo, now);
    days++;
    options.progress?.(days / total, dayFrom.slice(0, 10));
  }
  // Each hour replaced summed its days again; a client whose days were summed in another zone gets all of them anew.
  await syncDayZones(db, now);
  return { days, rows, ms: Date.now() - started };
}
