// Answers GET /statistic from the rollups: reads the filters, sums the measures the asked indicators need per resource
// and period, and applies the formulas. Whole local days of the period come from the daily rollups, the hours around
// them from the hourly ones (days.ts). Never reads conversations or messages.
import { type Kysely, sql } from 'kysely';
import type { Database, StatsMeasure } from '../../db/schema.js';
import { ApiError, fieldInvalid } from '../../errors.js';
import { clientScope, type Principal } from '../tenancy/policy.js';
import { type RollupSegment, rollupRowsOf, segmentsFor } from './days.js';
import {
  COUNTER_MEASURES,
  type CounterMeasure,
  type Figures,
  FORMULAS,
  type IndicatorValue,
  type Measure,
  PRESENCE_MEASURES,
  roundFor,
  TOTAL_MEASURES,
} from './formulas.js';
import {
  INDICATOR_NAMES,
  type IndicatorName,
  indicatorDefinition,
  indicatorsFor,
  isIndicatorName,
  STATISTIC_CHANNELS,
  STATISTIC_RESOURCES,
  type StatisticChannel,
  type StatisticResource,
} from './indicators.js';
import { HOUR_MS } from './rollup-rows.js';
import { formatWallDate, formatWallDateTime, instantOf, wallTimeAt } from './zoned-time.js';

export const GRANULARITIES = ['hour', 'day', 'month'] as const;
export type Granularity = (typeof GRANULARITIES)[number];

/** The longest period each granularity answers (a wider one is refused, saying so). */
export const MAX_DAYS: Readonly<Record<Granularity | 'none', number>> = {
  hour: 93,
  day: 731,
  month: 3_660,
  none: 3_660,
};

/** Ids one list filter may name (website_list, resource_id): bound-parameter limits stay far. */
const MAX_LISTED = 500;
/** Rows one answer may have (periods × resources): an hourly series of every operator over 93 days is refused. */
const MAX_ROWS = 50_000;

/** The documented contact types (conversation.contact_type). */
export const CONTACT_TYPES = ['visitor', 'proactive', 'outbound'] as const;

const FILTERS = [
  'website_list',
  'website_id',
  'channel',
  'resource',
  'resource_id',
  'indicators',
  'from',
  'to',
  'granularity',
] as const;
type FilterName = (typeof FILTERS)[number];

export interface StatisticRequest {
  websiteIds: number[] | null;
  channel: StatisticChannel;
  resource: StatisticResource | null;
  resourceIds: string[] | null;
  indicators: IndicatorName[];
  from: string | null;
  to: string | null;
  granularity: Granularity | null;
}

/** A 400 naming the filter: "Value of field 'filters[from]' is not valid. '03/11/2026' is not a date. …". */
const fail = (filter: FilterName, message: string) => fieldInvalid(`filters[${filter}]`, message);

const list = (value: string) =>
  value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');

/** Reads the `filters[…]` of a GET /statistic query; the dates are checked once the client's time zone is known. */
export function parseStatisticQuery(query: Record<string, unknown>): StatisticRequest {
  const filters: Partial<Record<FilterName, string>> = {};
  for (const [key, raw] of Object.entries(query)) {
    const match = /^filters\[([^\]]*)\]$/.exec(key);
    if (!match) {
      if (key.startsWith('filters'))
        throw new ApiError(
          'filter_unknown',
          400,
          `Parameter '${key}' is not valid. Filters are written filters[name]=value.`,
          'fail',
          {
            field: key,
          },
        );
      continue;
    }
    const name = match[1] ?? '';
    if (!(FILTERS as readonly string[]).includes(name))
      throw new ApiError(
        'filter_unknown',
        400,
        `Filter '${name}' is not supported for 'statistic'. Supported filters: ${FILTERS.join(', ')}.`,
        'fail',
        { field: `filters[${name}]` },
      );
    filters[name as FilterName] = Array.isArray(raw) ? String(raw.at(-1)) : String(raw);
  }

  let websiteIds: number[] | null = null;
  const websiteText = filters.website_list ?? filters.website_id;
  if (websiteText !== undefined) {
    const field: FilterName = filters.website_list !== undefined ? 'website_list' : 'website_id';
    const items = list(websiteText);
    const bad = items.find((item) => !/^[1-9]\d{0,15}$/.test(item));
    if (items.length === 0 || bad !== undefined)
      throw fail(field, `'${bad ?? websiteText}' is not a website id. Expected a comma list of website ids: 1,2,3.`);
    websiteIds = [...new Set(items.map(Number))];
    if (websiteIds.length > MAX_LISTED) throw fail(field, `At most ${MAX_LISTED} websites at once.`);
  }

  const channelText = (filters.channel ?? 'chat').trim();
  if (!(STATISTIC_CHANNELS as readonly string[]).includes(channelText))
    throw fail('channel', `Unknown channel '${channelText}'. Expected one of: ${STATISTIC_CHANNELS.join(', ')}.`);
  const channel = channelText as StatisticChannel;

  let resource: StatisticResource | null = null;
  if (filters.resource !== undefined && filters.resource.trim() !== '') {
    const text = filters.resource.trim();
    if (!(STATISTIC_RESOURCES as readonly string[]).includes(text))
      throw fail('resource', `Unknown resource '${text}'. Expected one of: ${STATISTIC_RESOURCES.join(', ')}.`);
    resource = text as StatisticResource;
  }
  let resourceIds: string[] | null = null;
  if (filters.resource_id !== undefined) {
    if (resource === null)
      throw fail('resource_id', 'filters[resource_id] needs filters[resource] (which resource the ids are of).');
    resourceIds = list(filters.resource_id);
    if (resourceIds.length === 0) throw fail('resource_id', 'Expected one id or a comma list of ids.');
    if (resourceIds.length > MAX_LISTED) throw fail('resource_id', `At most ${MAX_LISTED} ids at once.`);
    if (!['contact_type', 'page_type'].includes(resource)) {
      const bad = resourceIds.find((id) => !/^[1-9]\d{0,15}$/.test(id));
      if (bad !== undefined) throw fail('resource_id', `'${bad}' is not a ${resource} id.`);
    }
  }

  let indicators: IndicatorName[];
  if (filters.indicators !== undefined && filters.indicators.trim() !== '') {
    const names = [...new Set(list(filters.indicators))];
    const unknown = names.find((name) => !isIndicatorName(name));
    if (unknown !== undefined)
      throw fail('indicators', `Unknown indicator '${unknown}'. Valid indicators: ${INDICATOR_NAMES.join(', ')}.`);
    indicators = names as IndicatorName[];
    for (const name of indicators) {
      const definition = indicatorDefinition(name);
      if (!definition.channels.includes(channel))
        throw fail(
          'indicators',
          `Indicator '${name}' is not available on channel '${channel}'; it is on: ${definition.channels.join(', ')}.`,
        );
      if (resource !== null && !definition.groupableBy.includes(resource))
        throw fail(
          'indicators',
          definition.groupableBy.length === 0
            ? `Indicator '${name}' cannot be grouped by a resource; ask for it without filters[resource].`
            : `Indicator '${name}' cannot be grouped by '${resource}'; it can by: ${definition.groupableBy.join(', ')}.`,
        );
    }
  } else {
    indicators = indicatorsFor(channel).filter(
      (name) => resource === null || indicatorDefinition(name).groupableBy.includes(resource),
    );
  }

  let granularity: Granularity | null = null;
  if (filters.granularity !== undefined && filters.granularity.trim() !== '') {
    const text = filters.granularity.trim();
    if (!(GRANULARITIES as readonly string[]).includes(text))
      throw fail('granularity', `Unknown granularity '${text}'. Expected one of: ${GRANULARITIES.join(', ')}.`);
    if (filters.indicators === undefined || indicators.length !== 1)
      throw fail(
        'granularity',
        `filters[granularity] needs exactly one indicator in filters[indicators]; ${
          filters.indicators === undefined ? 'none was given' : `${indicators.length} were given`
        }.`,
      );
    granularity = text as Granularity;
  }
  return {
    websiteIds,
    channel,
    resource,
    resourceIds,
    indicators,
    from: filters.from?.trim() ?? null,
    to: filters.to?.trim() ?? null,
    granularity,
  };
}

const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})$/;

/** A `from` / `to` value as a wall time, and whether it named a whole day. */
function readDate(filter: 'from' | 'to', text: string) {
  const match = DATE_ONLY.exec(text) ?? DATE_TIME.exec(text);
  const parts = match?.slice(1).map(Number);
  if (!parts) throw fail(filter, `'${text}' is not a date. Expected YYYY-MM-DD or YYYY-MM-DD HH:MM:SS.`);
  const [year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0] = parts;
  const probe = new Date(Date.UTC(year, month - 1, day));
  if (
    probe.getUTCFullYear() !== year ||
    probe.getUTCMonth() !== month - 1 ||
    probe.getUTCDate() !== day ||
    hour > 23 ||
    minute > 59 ||
    second > 59
  )
    throw fail(filter, `'${text}' is not a real date or time.`);
  return { wall: { year, month, day, hour, minute, second }, wholeDay: parts.length === 3 || DATE_ONLY.test(text) };
}

/** The period [from, to) in UTC epoch ms, hour-aligned outward (rollups are hourly), from the client's wall times. */
export function resolvePeriod(request: StatisticRequest, timeZone: string, now: Date): { from: number; to: number } {
  const today = wallTimeAt(now.getTime(), timeZone);
  const startOfToday = { ...today, hour: 0, minute: 0, second: 0 };
  const from =
    request.from === null
      ? instantOf(startOfToday, timeZone)
      : instantOf(readDate('from', request.from).wall, timeZone);
  let to: number;
  if (request.to === null) {
    const tomorrow = new Date(Date.UTC(today.year, today.month - 1, today.day + 1));
    to = instantOf(
      {
        year: tomorrow.getUTCFullYear(),
        month: tomorrow.getUTCMonth() + 1,
        day: tomorrow.getUTCDate(),
        hour: 0,
        minute: 0,
        second: 0,
      },
      timeZone,
    );
  } else {
    const parsed = readDate('to', request.to);
    if (parsed.wholeDay) {
      // A date-only `to` covers that whole day: up to the next day's midnight.
      const next = new Date(Date.UTC(parsed.wall.year, parsed.wall.month - 1, parsed.wall.day + 1));
      to = instantOf(
        {
          year: next.getUTCFullYear(),
          month: next.getUTCMonth() + 1,
          day: next.getUTCDate(),
          hour: 0,
          minute: 0,
          second: 0,
        },
        timeZone,
      );
    } else to = instantOf(parsed.wall, timeZone);
  }
  if (from >= to)
    throw fail(
      'from',
      `filters[from] (${request.from ?? 'today'}) must come before filters[to] (${request.to ?? 'today'}).`,
    );
  const alignedFrom = Math.floor(from / HOUR_MS) * HOUR_MS;
  const alignedTo = Math.ceil(to / HOUR_MS) * HOUR_MS;
  const limit = MAX_DAYS[request.granularity ?? 'none'];
  if (alignedTo - alignedFrom > limit * 24 * HOUR_MS)
    throw fail(
      request.granularity === null ? 'to' : 'granularity',
      request.granularity === null
        ? `The period is too long: at most ${limit} days.`
        : `The period is too long for granularity '${request.granularity}': at most ${limit} days.`,
    );
  return { from: alignedFrom, to: alignedTo };
}

export interface StatisticScope {
  websites: { id: number; client_id: number; label: string }[];
  /** Every website of those clients: presence of all of a client's websites uses its client-wide rows. */
  clientWebsiteCounts: Map<number, number>;
  timeZone: string;
}

/** The websites asked for (or every one the key sees), refusing any it cannot see, and the clients' time zone. */
export async function resolveScope(
  db: Kysely<Database>,
  principal: Principal,
  websiteIds: number[] | null,
): Promise<StatisticScope> {
  let query = db
    .selectFrom('website')
    .select(['id', 'client_id', 'label'])
    .where(clientScope(principal, 'website.client_id'))
    .orderBy('id');
  if (websiteIds !== null) query = query.where('id', 'in', websiteIds);
  const websites = await query.execute();
  if (websiteIds !== null) {
    const seen = new Set(websites.map((website) => website.id));
    const missing = websiteIds.find((id) => !seen.has(id));
    if (missing !== undefined) throw fail('website_list', `Unknown 'website' with 'id' ${missing}.`);
  }
  const clientIds = [...new Set(websites.map((website) => website.client_id))];
  const clientWebsiteCounts = new Map<number, number>();
  let timeZone = 'UTC';
  if (clientIds.length > 0) {
    const counts = await db
      .selectFrom('website')
      .select((eb) => ['client_id', eb.fn.countAll<number | string>().as('n')])
      .where('client_id', 'in', clientIds)
      .groupBy('client_id')
      .execute();
    for (const row of counts) clientWebsiteCounts.set(row.client_id, Number(row.n));
    const zone = await db
      .selectFrom('client')
      .select('timezone')
      .where('id', '=', clientIds[0] as number)
      .executeTakeFirst();
    timeZone = zone?.timezone ?? 'UTC';
  }
  return { websites, clientWebsiteCounts, timeZone };
}

/** One row of the answer: the indicators, with `resource`, `resource_id`, `resource_label` and `period` when asked. */
export type StatisticRow = Record<string, IndicatorValue>;

interface Sums {
  measures: Map<Measure, number>;
  lastSaleAt: string | null;
}

/** Sums keyed by resource id ('' for the scope's total) then period label ('' without granularity). */
type SumTable = Map<string, Map<string, Sums>>;

function sumsAt(table: SumTable, resourceId: string, period: string): Sums {
  let byPeriod = table.get(resourceId);
  if (byPeriod === undefined) {
    byPeriod = new Map();
    table.set(resourceId, byPeriod);
  }
  let sums = byPeriod.get(period);
  if (sums === undefined) {
    sums = { measures: new Map(), lastSaleAt: null };
    byPeriod.set(period, sums);
  }
  return sums;
}

function addRow(
  table: SumTable,
  resourceId: string,
  period: string,
  row: Record<string, unknown>,
  measures: readonly string[],
  lastSale?: unknown,
) {
  const sums = sumsAt(table, resourceId, period);
  for (const measure of measures)
    sums.measures.set(measure as Measure, (sums.measures.get(measure as Measure) ?? 0) + Number(row[measure] ?? 0));
  if (typeof lastSale === 'string' && (sums.lastSaleAt === null || lastSale > sums.lastSaleAt))
    sums.lastSaleAt = lastSale;
}

/** The label of the period an hour (UTC epoch ms) belongs to, in the client's zone. */
function periodLabel(hourMs: number, granularity: Granularity, timeZone: string): string {
  const wall = wallTimeAt(hourMs, timeZone);
  if (granularity === 'hour') return `${formatWallDate(wall)} ${String(wall.hour).padStart(2, '0')}:00:00`;
  if (granularity === 'day') return formatWallDate(wall);
  return formatWallDate(wall).slice(0, 7);
}

export interface StatisticAnswer {
  rows: StatisticRow[];
}

/** Computes the answer of a parsed request for its scope. */
export async function queryStatistics(
  db: Kysely<Database>,
  request: StatisticRequest,
  scope: StatisticScope,
  now: Date = new Date(),
): Promise<StatisticRow[]> {
  const { from, to } = resolvePeriod(request, scope.timeZone, now);
  const fromIso = new Date(from).toISOString();
  const toIso = new Date(to).toISOString();
  const granularity = request.granularity;
  // Whole local days from stats_day and the hours around them, unless hourly or a client's days are being summed again.
  const segments = await segmentsFor(
    db,
    scope.websites.map((website) => website.client_id),
    scope.timeZone,
    { from, to },
    { hoursOnly: granularity === 'hour' },
  );
  const periodOfHour = (hour: string) =>
    granularity === null ? '' : periodLabel(Date.parse(hour), granularity, scope.timeZone);
  /** The answer's period label of a row: from its hour, or from its local day. */
  const periodOf = (segment: RollupSegment, key: string) => {
    if (segment.column === 'hour') return periodOfHour(key);
    return granularity === 'month' ? key.slice(0, 7) : key;
  };
  const needed = new Set<Measure>();
  let needsLastSale = false;
  for (const name of request.indicators) {
    for (const measure of FORMULAS[name].needs) needed.add(measure);
    if (FORMULAS[name].lastSale) needsLastSale = true;
  }
  const presenceNeeded = PRESENCE_MEASURES.filter((measure) => needed.has(measure));
  const totalNeeded = request.resource === null ? TOTAL_MEASURES.filter((measure) => needed.has(measure)) : [];
  const counterNeeded = COUNTER_MEASURES.filter((measure) => needed.has(measure));
  const contactNeeded = [...needed].filter(
    (measure): measure is StatsMeasure =>
      !(PRESENCE_MEASURES as readonly string[]).includes(measure) &&
      !(TOTAL_MEASURES as readonly string[]).includes(measure) &&
      !(COUNTER_MEASURES as readonly string[]).includes(measure),
  );
  // With a resource, sale totals are not groupable (refused earlier) and the latest sale is the attributed one.
  const lastSaleFromContacts = needsLastSale && request.resource !== null;
  const websiteIds = scope.websites.map((website) => website.id);
  const resourceKey = request.resource ?? '';
  const sums: SumTable = new Map();
  const groupPeriods = granularity !== null;

  for (const segment of segments) {
    if (websiteIds.length > 0 && (contactNeeded.length > 0 || lastSaleFromContacts)) {
      let query = rollupRowsOf(db, segment)
        .select((eb) => [
          'resource_id',
          ...contactNeeded.map((measure) => eb.fn.sum(sql.ref(measure)).as(measure)),
          ...(lastSaleFromContacts ? [eb.fn.max('last_sale_at').as('last_sale_at')] : []),
        ])
        .where('website_id', 'in', websiteIds)
        .where('resource', '=', resourceKey)
        .groupBy('resource_id');
      if (['whatsapp', 'sms', 'rcs'].includes(request.channel)) query = query.where('source', '=', request.channel);
      else query = query.where('channel', '=', request.channel);
      if (request.resourceIds !== null) query = query.where('resource_id', 'in', request.resourceIds);
      if (groupPeriods)
        query = query.select(sql.ref<string>(segment.column).as('period_key')).groupBy(sql.ref(segment.column));
      for (const row of await query.execute()) {
        const record = row as Record<string, unknown>;
        addRow(
          sums,
          String(record.resource_id),
          periodOf(segment, String(record.period_key ?? '')),
          record,
          contactNeeded,
          record.last_sale_at,
        );
      }
    }

    if (websiteIds.length > 0 && (totalNeeded.length > 0 || (needsLastSale && request.resource === null))) {
      let query = rollupRowsOf(db, segment)
        .select((eb) => [
          ...totalNeeded.map((measure) => eb.fn.sum(sql.ref(measure)).as(measure)),
          eb.fn.max('last_sale_at').as('last_sale_at'),
        ])
        .where('website_id', 'in', websiteIds)
        .where('resource', '=', '')
        .where('channel', '=', '*');
      if (groupPeriods)
        query = query.select(sql.ref<string>(segment.column).as('period_key')).groupBy(sql.ref(segment.column));
      for (const row of await query.execute()) {
        const record = row as Record<string, unknown>;
        addRow(sums, '', periodOf(segment, String(record.period_key ?? '')), record, totalNeeded, record.last_sale_at);
      }
    }

    if (presenceNeeded.length > 0 && scope.websites.length > 0)
      await sumPresence(db, request, scope, presenceNeeded, segment, periodOf, groupPeriods, sums);
  }

  if (counterNeeded.length > 0 && websiteIds.length > 0 && ['chat', 'call', 'video'].includes(request.channel))
    await sumCounters(db, request, websiteIds, counterNeeded, fromIso, toIso, periodOfHour, groupPeriods, sums);

  const periods = granularity === null ? [''] : periodsBetween(from, to, granularity, scope.timeZone);
  const resources =
    request.resource === null
      ? [{ id: '', label: null as string | null }]
      : await resourcesOf(db, request, scope, sums);
  if (periods.length * resources.length > MAX_ROWS)
    throw fail(
      'granularity',
      `The answer would have ${periods.length * resources.length} rows (${periods.length} periods × ${resources.length} ` +
        `resources), more than ${MAX_ROWS}: ask for a shorter period, a coarser granularity or some filters[resource_id].`,
    );
  const rows: StatisticRow[] = [];
  for (const period of periods) {
    for (const resource of resources) {
      const cell = sums.get(resource.id)?.get(period);
      const figures: Figures = {
        get: (measure) => cell?.measures.get(measure) ?? 0,
        lastSaleAt: cell?.lastSaleAt ?? null,
      };
      const row: StatisticRow = {};
      if (granularity !== null) row.period = period;
      if (request.resource !== null) {
        row.resource = request.resource;
        row.resource_id = /^\d+$/.test(resource.id) ? Number(resource.id) : resource.id;
        row.resource_label = resource.label;
      }
      for (const name of request.indicators) {
        const value = FORMULAS[name].value(figures);
        if (value === 'last_sale')
          row[name] =
            figures.lastSaleAt === null
              ? null
              : formatWallDateTime(wallTimeAt(Date.parse(figures.lastSaleAt), scope.timeZone));
        else row[name] = value === null ? null : roundFor(name, value);
      }
      rows.push(row);
    }
  }
  return rows;
}

/** "Ada Lovelace": the first name before the name, unless the name already holds it (`name: 'Ada Lovelace'`). */
function operatorLabel(operator: { name: string; first_name: string | null }): string {
  const first = operator.first_name?.trim() ?? '';
  return first === '' || operator.name.includes(first) ? operator.name : `${first} ${operator.name}`;
}

/** Every period label from `from` to `to`, continuous (no gaps). */
function periodsBetween(from: number, to: number, granularity: Granularity, timeZone: string): string[] {
  const labels: string[] = [];
  for (let hour = from; hour < to; hour += HOUR_MS) {
    const label = periodLabel(hour, granularity, timeZone);
    if (labels.at(-1) !== label) labels.push(label);
  }
  return labels;
}

/**
 * Presence sums: the client's rows for every website of a client asked (its `''` total, unions included); when only
 * some are, the rows of the operators linked to any of them (each once) and, for the smoothed durations, the rows of
 * each website asked; per operator, group or skill when grouped.
 */
async function sumPresence(
  db: Kysely<Database>,
  request: StatisticRequest,
  scope: StatisticScope,
  measures: readonly StatsMeasure[],
  segment: RollupSegment,
  periodOf: (segment: RollupSegment, key: string) => string,
  groupPeriods: boolean,
  sums: SumTable,
): Promise<void> {
  const channel = ['call', 'video'].includes(request.channel) ? request.channel : 'chat';
  const byClient = new Map<number, number[]>();
  for (const website of scope.websites)
    byClient.set(website.client_id, [...(byClient.get(website.client_id) ?? []), website.id]);
  for (const [clientId, ids] of byClient) {
    const allWebsites = ids.length === (scope.clientWebsiteCounts.get(clientId) ?? 0);
    const presenceRows = (wanted: readonly StatsMeasure[]) => {
      let query = rollupRowsOf(db, segment)
        .select((eb) => ['resource_id', ...wanted.map((measure) => eb.fn.sum(sql.ref(measure)).as(measure))])
        .where('website_id', '=', 0)
        .where('client_id', '=', clientId)
        .where('channel', '=', channel)
        .groupBy('resource_id');
      if (groupPeriods)
        query = query.select(sql.ref<string>(segment.column).as('period_key')).groupBy(sql.ref(segment.column));
      return query;
    };
    const add = (rows: readonly Record<string, unknown>[], wanted: readonly StatsMeasure[]) => {
      for (const record of rows) {
        const resourceId = request.resource === null ? '' : String(record.resource_id);
        addRow(sums, resourceId, periodOf(segment, String(record.period_key ?? '')), record, wanted);
      }
    };
    if (request.resource !== null) {
      let query = presenceRows(measures).where('resource', '=', request.resource);
      if (request.resourceIds !== null) query = query.where('resource_id', 'in', request.resourceIds);
      add(await query.execute(), measures);
    } else if (allWebsites) add(await presenceRows(measures).where('resource', '=', '').execute(), measures);
    else {
      // Some of the client's websites, not all: the durations are those of the operators linked to any of them, each
      // counted once (from the operators' rows); a smoothed duration (a union over operators) is kept per website
      // only, so those of the websites asked add up — an operator linked to two of them counts in both.
      const unions = measures.filter((measure) => measure.endsWith('_union_s'));
      const additive = measures.filter((measure) => !measure.endsWith('_union_s'));
      if (unions.length > 0)
        add(
          await presenceRows(unions)
            .where('resource', '=', 'website')
            .where(
              'resource_id',
              'in',
              ids.map((id) => String(id)),
            )
            .execute(),
          unions,
        );
      if (additive.length > 0) {
        const linked = await db
          .selectFrom('operator_website')
          .select('operator_id')
          .distinct()
          .where('website_id', 'in', ids)
          .execute();
        const operatorIds = linked.map((row) => String(row.operator_id));
        for (let index = 0; index < operatorIds.length; index += MAX_LISTED)
          add(
            await presenceRows(additive)
              .where('resource', '=', 'operator')
              .where('resource_id', 'in', operatorIds.slice(index, index + MAX_LISTED))
              .execute(),
            additive,
          );
      }
    }
  }
}

/** Display and trigger counters of the targeting rules, summed like the rollups. */
async function sumCounters(
  db: Kysely<Database>,
  request: StatisticRequest,
  websiteIds: number[],
  measures: readonly CounterMeasure[],
  fromIso: string,
  toIso: string,
  periodOf: (hour: string) => string,
  groupHours: boolean,
  sums: SumTable,
): Promise<void> {
  const groupColumn = request.resource === 'rule' ? 'rule_id' : request.resource === 'page_type' ? 'page_type' : null;
  if (request.resource !== null && groupColumn === null) return;
  let query = db
    .selectFrom('targeting_rule_counter')
    .select((eb) => measures.map((measure) => eb.fn.sum(sql.ref(measure)).as(measure)))
    .where('website_id', 'in', websiteIds)
    .where('channel', '=', String(request.channel))
    .where('hour', '>=', fromIso)
    .where('hour', '<', toIso);
  if (groupColumn !== null) {
    query = query.select(sql.ref(groupColumn).as('group_key')).groupBy(groupColumn);
    if (request.resourceIds !== null)
      query =
        groupColumn === 'rule_id'
          ? query.where('rule_id', 'in', request.resourceIds.map(Number))
          : query.where('page_type', 'in', request.resourceIds);
  }
  if (groupHours) query = query.select('hour').groupBy('hour');
  for (const row of await query.execute()) {
    const record = row as Record<string, unknown>;
    addRow(
      sums,
      groupColumn === null ? '' : String(record.group_key),
      periodOf(String(record.hour ?? '')),
      record,
      measures,
    );
  }
}

/** The resources rows are given for: every one of the websites' (rows of zeros too), narrowed by resource_id. */
async function resourcesOf(
  db: Kysely<Database>,
  request: StatisticRequest,
  scope: StatisticScope,
  sums: SumTable,
): Promise<{ id: string; label: string | null }[]> {
  const websiteIds = scope.websites.map((website) => website.id);
  const clientIds = [...new Set(scope.websites.map((website) => website.client_id))];
  let found: { id: string; label: string | null }[] = [];
  if (websiteIds.length > 0) {
    switch (request.resource) {
      case 'operator': {
        const rows = await db
          .selectFrom('operator')
          .select(['id', 'name', 'first_name', 'deleted_at'])
          .where('client_id', 'in', clientIds)
          .where((eb) =>
            eb.exists(
              eb
                .selectFrom('operator_website')
                .select('operator_website.operator_id')
                .whereRef('operator_website.operator_id', '=', 'operator.id')
                .where('operator_website.website_id', 'in', websiteIds),
            ),
          )
          .orderBy('id')
          .execute();
        // Deleted operators are listed when they have figures in the period.
        found = rows
          .filter((row) => row.deleted_at === null || sums.has(String(row.id)))
          .map((row) => ({ id: String(row.id), label: operatorLabel(row) }));
        break;
      }
      case 'group':
        found = (
          await db
            .selectFrom('operator_group')
            .select(['id', 'name'])
            .where('client_id', 'in', clientIds)
            .orderBy('id')
            .execute()
        ).map((row) => ({ id: String(row.id), label: row.name }));
        break;
      case 'skill':
        found = (
          await db
            .selectFrom('skill')
            .select(['id', 'name'])
            .where('client_id', 'in', clientIds)
            .orderBy('id')
            .execute()
        ).map((row) => ({ id: String(row.id), label: row.name }));
        break;
      case 'rule':
        found = (
          await db
            .selectFrom('targeting_rule')
            .select(['id', 'name', 'deleted_at'])
            .where('website_id', 'in', websiteIds)
            .orderBy('id')
            .execute()
        )
          .filter((row) => row.deleted_at === null || sums.has(String(row.id)))
          .map((row) => ({ id: String(row.id), label: row.name }));
        break;
      case 'contact_type':
        found = CONTACT_TYPES.map((type) => ({ id: type, label: type }));
        break;
      case 'page_type':
        found = [...sums.keys()]
          .filter((key) => key !== '')
          .sort()
          .map((key) => ({ id: key, label: key }));
        break;
      default:
        found = [];
    }
  }
  if (request.resourceIds !== null) {
    const wanted = new Set(request.resourceIds);
    found = found.filter((resource) => wanted.has(resource.id));
    // A page type asked for by name is a row even without figures (page types exist only through their use).
    if (request.resource === 'page_type')
      for (const id of request.resourceIds)
        if (!found.some((resource) => resource.id === id)) found.push({ id, label: id });
  }
  return found;
}
