// Daily rollups: each client's local days summed from its hourly rows (stats_day), so that a query over months reads
// a row per day where it would read 24. A day is the hours whose start falls on that date in the client's time zone
// (the same rule that labels hours for `granularity=day`), so whole days read from stats_day give exactly the sums of
// their hours. The transaction that replaces hours (rollups.ts) adds to their days what the new hour rows differ from
// the old ones (applyDayChanges: work in proportion to the hours replaced, not to the day); a client whose time zone
// changed, or whose days were never summed, has all its days summed from its hours by the projection (syncDayZones),
// and until then its queries read hours only (stats_day_zone says in which zone the days were summed).
import { type Kysely, sql } from 'kysely';
import { dialectOf } from '../../db/dialect.js';
import { type Database, STATS_MEASURES, type StatsMeasure } from '../../db/schema.js';
import { transact } from '../../events/transact.js';
import { HOUR_MS, type Measures, type RollupRow, zeroMeasures } from './rollup-rows.js';
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
 * How some clients' rollups are read over a period [from, to) (hour-aligned epoch ms; all time when null), for answers
 * given in `timeZone`: whole local days from stats_day and the hours around them from stats_hour while the days of every
 * client were summed in that zone; hours only when asked (`granularity=hour`), or while a client's days are missing or
 * being summed again after a change of its time zone (they would be stale). The engine and the operator figures both
 * read through here.
 */
export async function segmentsFor(
  db: Db,
  clientIds: readonly number[],
  timeZone: string,
  period: { from: number; to: number } | null,
  options: { hoursOnly?: boolean } = {},
): Promise<RollupSegment[]> {
  if (period !== null && period.to <= period.from) return [];
  const clients = [...new Set(clientIds)];
  let daysReadable = options.hoursOnly !== true && clients.length > 0;
  if (daysReadable) {
    const zones = await dayZonesOf(db, clients);
    daysReadable = clients.every((clientId) => zones.get(clientId) === timeZone);
  }
  if (period === null)
    // Every hour belongs to exactly one local day, so all the days together are all the hours.
    return daysReadable
      ? [{ table: 'stats_day', column: 'day', from: '0000-01-01', to: '9999-12-31' }]
      : [{ table: 'stats_hour', column: 'hour', from: '0000-01-01T00:00:00.000Z', to: '9999-12-31T00:00:00.000Z' }];
  if (!daysReadable)
    return [
      {
        table: 'stats_hour',
        column: 'hour',
        from: new Date(period.from).toISOString(),
        to: new Date(period.to).toISOString(),
      },
    ];
  return segmentsOf(period.from, period.to, timeZone);
}

/**
 * The rollup rows of one segment of a period. stats_day has stats_hour's columns with `day` for `hour`, so one builder
 * serves both: typed as stats_hour, with the period column named by reference.
 */
export function rollupRowsOf(db: Db, segment: RollupSegment) {
  return db
    .selectFrom(segment.table as 'stats_hour')
    .where(sql.ref(segment.column), '>=', segment.from)
    .where(sql.ref(segment.column), '<', segment.to);
}

/** The advisory lock class of a scope's rollup writes (PostgreSQL), with the website id, or minus the client id. */
const SCOPE_LOCK = 0x53746154;

/**
 * Makes one scope's rollup writes (a website's, or a client's presence: website 0) run one after the other on
 * PostgreSQL, until the caller's transaction ends: the projection and `stats rebuild` may replace the same hours or sum
 * the same days at once, and each reads what it then changes (the old hour rows, the day rows it replaces). Taken
 * again in the same transaction it simply holds. SQLite's write transactions already run one at a time; a stale read
 * there fails its commit rather than counting twice.
 */
export async function lockScope(trx: Db, scope: { clientId: number; websiteId: number }): Promise<void> {
  if (dialectOf(trx) !== 'postgres') return;
  const key = scope.websiteId === 0 ? -scope.clientId : scope.websiteId;
  await sql`select pg_advisory_xact_lock(${SCOPE_LOCK}::int, ${key}::int)`.execute(trx);
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
  await lockScope(trx, scope);
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
  await removeEmptyDays(trx, scope, days);
}

/** An hour row as stored, as replaceRows reads it before replacing it. */
export type StoredHourRow = Database['stats_hour'];

/** Rows per upsert of day changes: each binds about 50 values. */
const UPSERT_CHUNK = 100;

interface DayChange {
  day: string;
  channel: string;
  source: string;
  resource: string;
  resource_id: string;
  measures: Measures;
  /** The latest sale of the new hour rows of this key, which the day's may only grow to. */
  lastSaleAt: string | null;
}

/**
 * Brings one scope's days in line after its hours were replaced (`before` → `after`), in the same transaction: each
 * day row gains the difference of its key's measures. A day where an hour's latest sale went back (a sale removed)
 * is summed from its hours instead, since a maximum cannot be taken back; day rows left all zero are removed, as a
 * summing would not have made them. The caller holds the scope (replaceRows), so no other writer changes these hours
 * between the read of `before` and the commit.
 */
export async function applyDayChanges(
  trx: Db,
  scope: { clientId: number; websiteId: number },
  before: readonly StoredHourRow[],
  after: readonly RollupRow[],
  timeZone: string,
): Promise<void> {
  const changes = new Map<string, DayChange>();
  const resum = new Set<string>();
  const changeOf = (row: { hour: string; channel: string; source: string; resource: string; resource_id: string }) => {
    const day = dayOfHour(Date.parse(row.hour), timeZone);
    const id = `${day}|${row.channel}|${row.source}|${row.resource}|${row.resource_id}`;
    let change = changes.get(id);
    if (change === undefined) {
      change = { day, ...pickKey(row), measures: zeroMeasures(), lastSaleAt: null };
      changes.set(id, change);
    }
    return change;
  };
  const oldLastSale = new Map<DayChange, string>();
  for (const row of before) {
    const change = changeOf(row);
    for (const measure of STATS_MEASURES) change.measures[measure] -= Number(row[measure] ?? 0);
    const previous = oldLastSale.get(change);
    if (row.last_sale_at !== null && (previous === undefined || row.last_sale_at > previous))
      oldLastSale.set(change, row.last_sale_at);
  }
  for (const row of after) {
    const change = changeOf(row);
    for (const measure of STATS_MEASURES) change.measures[measure] += row.measures[measure];
    if (row.last_sale_at !== null && (change.lastSaleAt === null || row.last_sale_at > change.lastSaleAt))
      change.lastSaleAt = row.last_sale_at;
  }
  for (const [change, old] of oldLastSale)
    if (change.lastSaleAt === null || change.lastSaleAt < old) resum.add(change.day);
  const upserts = [...changes.values()].filter(
    (change) =>
      !resum.has(change.day) &&
      (change.lastSaleAt !== null || STATS_MEASURES.some((measure) => change.measures[measure] !== 0)),
  );
  for (let index = 0; index < upserts.length; index += UPSERT_CHUNK) {
    const values = upserts.slice(index, index + UPSERT_CHUNK).map((change) => ({
      client_id: scope.clientId,
      website_id: scope.websiteId,
      day: change.day,
      channel: change.channel,
      source: change.source,
      resource: change.resource,
      resource_id: change.resource_id,
      last_sale_at: change.lastSaleAt,
      ...change.measures,
    }));
    await trx
      .insertInto('stats_day')
      .values(values)
      .onConflict((conflict) =>
        conflict
          .columns(['website_id', 'day', 'client_id', 'resource', 'resource_id', 'channel', 'source'])
          .doUpdateSet((eb) => {
            const set: Record<string, unknown> = {
              last_sale_at: eb
                .case()
                .when(eb.ref('stats_day.last_sale_at'), 'is', null)
                .then(eb.ref('excluded.last_sale_at'))
                .when(eb.ref('excluded.last_sale_at'), '>', eb.ref('stats_day.last_sale_at'))
                .then(eb.ref('excluded.last_sale_at'))
                .else(eb.ref('stats_day.last_sale_at'))
                .end(),
            };
            for (const measure of STATS_MEASURES)
              set[measure] = eb(eb.ref(`stats_day.${measure}`), '+', eb.ref(`excluded.${measure}`));
            return set as { [K in StatsMeasure]: never };
          }),
      )
      .execute();
  }
  if (resum.size > 0) await sumDays(trx, scope, [...resum], timeZone);
  // A key whose conversations all moved away leaves a day row of zeros: removed, as a summing would not make it.
  await removeEmptyDays(trx, scope, [...new Set(upserts.map((change) => change.day))]);
}

/** Removes a scope's day rows that hold no figure (hour rows of zeros are not stored either: rollups.ts). */
async function removeEmptyDays(
  trx: Db,
  scope: { clientId: number; websiteId: number },
  days: readonly string[],
): Promise<void> {
  if (days.length === 0) return;
  let empty = trx
    .deleteFrom('stats_day')
    .where('website_id', '=', scope.websiteId)
    .where('client_id', '=', scope.clientId)
    .where('day', 'in', [...days])
    .where('last_sale_at', 'is', null);
  for (const measure of STATS_MEASURES) empty = empty.where(measure, '=', 0);
  await empty.execute();
}

function pickKey(row: { channel: string; source: string; resource: string; resource_id: string }) {
  return { channel: row.channel, source: row.source, resource: row.resource, resource_id: row.resource_id };
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
