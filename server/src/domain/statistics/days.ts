// Daily rollups: each client's local days summed from its hourly rows (stats_day), so that a query over months reads
// a row per day where it would read 24. A day is the hours whose start falls on that date in the client's time zone
// (the same rule that labels hours for `granularity=day`), so whole days read from stats_day give exactly the sums of
// their hours. Days are summed again in the transaction that replaces their hours (rollups.ts); a client whose time
// zone changed, or whose days were never summed, has all its days summed again by the projection (syncDayZones), and
// until then its queries read hours only (stats_day_zone says in which zone the days were summed).
import { type Kysely, sql } from 'kysely';
import { type Database, STATS_MEASURES } from '../../db/schema.js';
import { transact } from '../../events/transact.js';
import { HOUR_MS } from './rollup-rows.js';
import { formatWallDate, instantOf, wallTimeAt } from './zoned-time.js';

type Db = Kysely<Database>;

/** The key columns shared by stats_hour and stats_day besides the hour or day. */
const KEY_COLUMNS = ['client_id', 'website_id', 'channel', 'source', 'resource', 'resource_id'] as const;

/** The local date (`2026-11-03`) an hour belongs to in the zone. */
export function dayOfHour(hourMs: number, timeZone: string): string {
  return formatWallDate(wallTimeAt(hourMs, timeZone));
}

/** The date after `day` (`2026-11-30` → `2026-12-01`). */
export function nextDay(day: string): string {
  const [year, month, date] = day.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(year, month - 1, date + 1)).toISOString().slice(0, 10);
}

/**
 * The first hour (UTC epoch ms) whose start falls on `day` in the zone. Searched from a few hours before the local
 * midnight rather than rounded from it, so that zones with half-hour offsets and midnights skipped by a clock change
 * give the hours `dayOfHour` labels with that day, no more and no fewer.
 */
export function firstHourOfDay(day: string, timeZone: string): number {
  const [year, month, date] = day.split('-').map(Number) as [number, number, number];
  const midnight = instantOf({ year, month, day: date, hour: 0, minute: 0, second: 0 }, timeZone);
  let hour = Math.floor(midnight / HOUR_MS) * HOUR_MS - 3 * HOUR_MS;
  while (dayOfHour(hour, timeZone) < day) hour += HOUR_MS;
  return hour;
}

/** The local days the hours [from, to) (hour-aligned epoch ms) belong to, in order. */
export function daysTouching(from: number, to: number, timeZone: string): string[] {
  const days: string[] = [];
  for (let hour = from; hour < to; hour += HOUR_MS) {
    const day = dayOfHour(hour, timeZone);
    if (days.at(-1) !== day) days.push(day);
  }
  return days;
}

/** Part of a period read from one rollup table: ISO hours [from, to) of stats_hour, or dates [from, to) of stats_day. */
export interface RollupSegment {
  table: 'stats_hour' | 'stats_day';
  column: 'hour' | 'day';
  from: string;
  to: string;
}

/**
 * A period [from, to) (hour-aligned epoch ms) cut into the whole local days inside it, read from stats_day, and the
 * hours before and after them, read from stats_hour. Without a whole day inside, all of it is hours.
 */
export function segmentsOf(from: number, to: number, timeZone: string): RollupSegment[] {
  const hours = (start: number, end: number): RollupSegment => ({
    table: 'stats_hour',
    column: 'hour',
    from: new Date(start).toISOString(),
    to: new Date(end).toISOString(),
  });
  let firstDay = dayOfHour(from, timeZone);
  if (firstHourOfDay(firstDay, timeZone) < from) firstDay = nextDay(firstDay);
  const daysStart = firstHourOfDay(firstDay, timeZone);
  // The day after the last whole one: the day of the hour `to` when `to` starts a day, else the day `to` falls in.
  let endDay = dayOfHour(to, timeZone);
  if (firstHourOfDay(endDay, timeZone) > to) endDay = dayOfHour(to - HOUR_MS, timeZone);
  const daysEnd = firstHourOfDay(endDay, timeZone);
  if (daysStart >= to || daysEnd <= daysStart) return [hours(from, to)];
  const segments: RollupSegment[] = [];
  if (from < daysStart) segments.push(hours(from, daysStart));
  segments.push({ table: 'stats_day', column: 'day', from: firstDay, to: endDay });
  if (daysEnd < to) segments.push(hours(daysEnd, to));
  return segments;
}

/**
 * Sums one scope's (a website, or a client's presence: website 0) hours of each day again into its stats_day rows,
 * inside the caller's transaction (the one that replaced those hours).
 */
export async function sumDays(
  trx: Db,
  scope: { clientId: number; websiteId: number },
  days: readonly string[],
  timeZone: string,
): Promise<void> {
  for (const day of days) {
    await trx
      .deleteFrom('stats_day')
      .where('website_id', '=', scope.websiteId)
      .where('client_id', '=', scope.clientId)
      .where('day', '=', day)
      .execute();
    const from = new Date(firstHourOfDay(day, timeZone)).toISOString();
    const to = new Date(firstHourOfDay(nextDay(day), timeZone)).toISOString();
    await trx
      .insertInto('stats_day')
      .columns([...KEY_COLUMNS, 'day', ...STATS_MEASURES, 'last_sale_at'])
      .expression(
        trx
          .selectFrom('stats_hour')
          .select((eb) => [
            ...KEY_COLUMNS,
            sql<string>`cast(${day} as text)`.as('day'),
            ...STATS_MEASURES.map((measure) => eb.fn.sum<number>(sql.ref(measure)).as(measure)),
            eb.fn.max('last_sale_at').as('last_sale_at'),
          ])
          .where('website_id', '=', scope.websiteId)
          .where('client_id', '=', scope.clientId)
          .where('hour', '>=', from)
          .where('hour', '<', to)
          .groupBy([...KEY_COLUMNS]),
      )
      .execute();
  }
}

/** The client's time zone as its statistics read it (UTC when unset), inside a transaction or not. */
export async function timeZoneOf(db: Db, clientId: number): Promise<string> {
  const row = await db.selectFrom('client').select('timezone').where('id', '=', clientId).executeTakeFirst();
  return row?.timezone ?? 'UTC';
}

/** The zone each client's days were summed in; a client missing from the map has no days to read. */
export async function dayZonesOf(db: Db, clientIds: readonly number[]): Promise<Map<number, string>> {
  if (clientIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('stats_day_zone')
    .select(['client_id', 'time_zone'])
    .where('client_id', 'in', [...clientIds])
    .execute();
  return new Map(rows.map((row) => [row.client_id, row.time_zone]));
}

/**
 * Sums every day of the clients whose days were never summed or were summed in another time zone than theirs now,
 * then records the zone: after a change of `client.timezone`, the next projection round puts the days right. Each
 * day of each scope commits on its own (a long history never holds one long transaction). Answers how many clients.
 */
export async function syncDayZones(db: Db, now: Date): Promise<number> {
  const stale = await db
    .selectFrom('client')
    .leftJoin('stats_day_zone', 'stats_day_zone.client_id', 'client.id')
    .select(['client.id as id', 'client.timezone as timezone'])
    .where((eb) =>
      eb.or([
        eb('stats_day_zone.client_id', 'is', null),
        eb('stats_day_zone.time_zone', '<>', eb.ref('client.timezone')),
      ]),
    )
    .execute();
  for (const client of stale) {
    const timeZone = client.timezone;
    // Reads of this client use hours only from here until the days are summed in the new zone.
    await db.deleteFrom('stats_day_zone').where('client_id', '=', client.id).execute();
    await db.deleteFrom('stats_day').where('client_id', '=', client.id).execute();
    const extent = await db
      .selectFrom('stats_hour')
      .select((eb) => [eb.fn.min<string>('hour').as('first'), eb.fn.max<string>('hour').as('last')])
      .where('client_id', '=', client.id)
      .executeTakeFirst();
    if (extent?.first && extent.last) {
      const scopes = await db
        .selectFrom('stats_hour')
        .select('website_id')
        .distinct()
        .where('client_id', '=', client.id)
        .execute();
      const days = daysTouching(Date.parse(extent.first), Date.parse(extent.last) + HOUR_MS, timeZone);
      for (const scope of scopes)
        for (const day of days)
          await transact(db, (trx) =>
            sumDays(trx, { clientId: client.id, websiteId: scope.website_id }, [day], timeZone),
          );
    }
    // The zone is recorded only if it is still the client's: changed again meanwhile, the next round sums again.
    await transact(db, async (trx) => {
      if ((await timeZoneOf(trx, client.id)) !== timeZone) return;
      await trx
        .insertInto('stats_day_zone')
        .values({ client_id: client.id, time_zone: timeZone, updated_at: now.toISOString() })
        .onConflict((conflict) =>
          conflict.column('client_id').doUpdateSet({ time_zone: timeZone, updated_at: now.toISOString() }),
        )
        .execute();
    });
  }
  return stale.length;
}
