// Per-operator figures read from the statistics rollups, for GET /operator/{id}/statistic and v1 operator_stats/getStats:
// the measures of each operator's rollup rows, summed over every channel, and the seed fields computed from them with
// the engine's formulas. Only fields the rollups carry exactly are here; the others stay on their source-row queries
// (see docs/STATISTICS.md, "Operator statistic and v1 getStats").
//
// Why not queryStatistics itself: its request reads one channel (seed 002 and 003 count every channel, `social`
// included, which no statistic channel covers), answers rounded indicators (v1 gives unrounded means, which summing
// rounded per-channel figures cannot give), lists only operators linked to a website, and spans at most 3,660 days
// (the operator statistic is all time). So this module reads the same rollup rows the engine reads, choosing between
// stats_day and stats_hour as the engine does (whole local days from stats_day while they were summed in the client's
// zone, the hours around them from stats_hour), and applies the engine's formulas (formulas.ts).
import { type Kysely, sql } from 'kysely';
import type { Database, StatsMeasure } from '../../db/schema.js';
import { dayZonesOf, type RollupSegment, rollupRowsOf, segmentsOf, timeZoneOf } from './days.js';
import { type Figures, FORMULAS } from './formulas.js';
import { HOUR_MS } from './rollup-rows.js';

/**
 * Measures of an operator's conversation rows (website rows, `resource` 'operator', every channel and source):
 * - `contacts`: conversations created in the hour whose operator (`conversation.operator_id`, the last holder) is them;
 * - `problems`: those of them with a problem reported (`conversation.problem_reported_at` set), whoever reported it;
 * - `duration_sum`, `duration_n`: seconds from creation to closing of the closed ones, and how many.
 */
const CONTACT_MEASURES = [
  'contacts',
  'problems',
  'duration_sum',
  'duration_n',
] as const satisfies readonly StatsMeasure[];
/** Seconds connected (presence sessions, counted once however many channels): the client's chat presence rows. */
const PRESENCE_MEASURES = ['presence_s'] as const satisfies readonly StatsMeasure[];

type OperatorMeasure = (typeof CONTACT_MEASURES)[number] | (typeof PRESENCE_MEASURES)[number];

/** Ids per `in (…)` list: well under both dialects' bound-parameter limits. */
const ID_CHUNK = 500;

/** A period of instants [start, end) (ISO), as v1 reads it. */
export interface InstantPeriod {
  start: string;
  end: string;
}

/**
 * The period the rollups answer for [start, end): whole hours, widened outward (11:30 to 12:15 reads 11:00 to 13:00),
 * as GET /statistic does with its `from` and `to`. v1's whole UTC days are already whole hours.
 */
export function hourAlignedPeriod(period: InstantPeriod): InstantPeriod {
  const start = Math.floor(Date.parse(period.start) / HOUR_MS) * HOUR_MS;
  const end = Math.ceil(Date.parse(period.end) / HOUR_MS) * HOUR_MS;
  return { start: new Date(start).toISOString(), end: new Date(end).toISOString() };
}

/** The rollup segments of a client's period (all time when null): days where they can be read, hours otherwise. */
async function segmentsFor(
  db: Kysely<Database>,
  clientId: number,
  period: InstantPeriod | null,
): Promise<RollupSegment[]> {
  const timeZone = await timeZoneOf(db, clientId);
  // The client's days are read only while they were summed in its zone now (after a change, until the projection has
  // summed them again, they are stale or missing): the engine's rule (engine.ts, segmentsFor).
  const daysReadable = (await dayZonesOf(db, [clientId])).get(clientId) === timeZone;
  if (period === null) {
    // Every hour belongs to exactly one local day, so all the days together are all the hours.
    return daysReadable
      ? [{ table: 'stats_day', column: 'day', from: '0000-01-01', to: '9999-12-31' }]
      : [{ table: 'stats_hour', column: 'hour', from: '0000-01-01T00:00:00.000Z', to: '9999-12-31T00:00:00.000Z' }];
  }
  const aligned = hourAlignedPeriod(period);
  const from = Date.parse(aligned.start);
  const to = Date.parse(aligned.end);
  if (to <= from) return [];
  if (!daysReadable) return [{ table: 'stats_hour', column: 'hour', from: aligned.start, to: aligned.end }];
  return segmentsOf(from, to, timeZone);
}

type Sums = Map<number, Map<OperatorMeasure, number>>;

function add(sums: Sums, operatorId: number, row: Record<string, unknown>, measures: readonly OperatorMeasure[]) {
  let own = sums.get(operatorId);
  if (own === undefined) {
    own = new Map();
    sums.set(operatorId, own);
  }
  for (const measure of measures) own.set(measure, (own.get(measure) ?? 0) + Number(row[measure] ?? 0));
}

/**
 * Sums, per operator of the client (all, or those listed), the measures of their rollup rows over the period (all
 * time when null); presence only when asked (the operator statistic does not use it).
 */
async function sumOperatorMeasures(
  db: Kysely<Database>,
  clientId: number,
  period: InstantPeriod | null,
  operatorIds: readonly number[] | undefined,
  options: { presence: boolean },
): Promise<Sums> {
  const sums: Sums = new Map();
  const idChunks: (string[] | undefined)[] = [];
  if (operatorIds === undefined) idChunks.push(undefined);
  else
    for (let index = 0; index < operatorIds.length; index += ID_CHUNK)
      idChunks.push(operatorIds.slice(index, index + ID_CHUNK).map(String));
  const clientWebsites = db.selectFrom('website').select('id').where('client_id', '=', clientId);
  for (const segment of await segmentsFor(db, clientId, period)) {
    for (const ids of idChunks) {
      let contacts = rollupRowsOf(db, segment)
        .select((eb) => ['resource_id', ...CONTACT_MEASURES.map((measure) => eb.fn.sum(sql.ref(measure)).as(measure))])
        // Every channel and source: the website rows of the client's websites (presence rows have website 0).
        .where('website_id', 'in', clientWebsites)
        .where('client_id', '=', clientId)
        .where('resource', '=', 'operator')
        .groupBy('resource_id');
      if (ids !== undefined) contacts = contacts.where('resource_id', 'in', ids);
      for (const row of await contacts.execute())
        add(sums, Number(row.resource_id), row as Record<string, unknown>, CONTACT_MEASURES);
      if (!options.presence) continue;
      // Connected time is the same on each live channel's row: chat's is read, once.
      let presence = rollupRowsOf(db, segment)
        .select((eb) => ['resource_id', ...PRESENCE_MEASURES.map((measure) => eb.fn.sum(sql.ref(measure)).as(measure))])
        .where('website_id', '=', 0)
        .where('client_id', '=', clientId)
        .where('channel', '=', 'chat')
        .where('resource', '=', 'operator')
        .groupBy('resource_id');
      if (ids !== undefined) presence = presence.where('resource_id', 'in', ids);
      for (const row of await presence.execute())
        add(sums, Number(row.resource_id), row as Record<string, unknown>, PRESENCE_MEASURES);
    }
  }
  return sums;
}

function figuresOf(own: Map<OperatorMeasure, number> | undefined): Figures {
  return { get: (measure) => own?.get(measure as OperatorMeasure) ?? 0, lastSaleAt: null };
}

/** The fields of GET /operator/{id}/statistic the rollups carry exactly, all time. */
export interface OperatorAllTimeFigures {
  /** `contact_number` over every channel: conversations whose operator is them (every status, all time). */
  conversation_number: number;
  /** The `problems` measure: those conversations with a problem reported on them, whoever reported it. */
  problem: number;
}

export async function loadOperatorAllTimeFigures(
  db: Kysely<Database>,
  operator: { id: number; client_id: number },
): Promise<OperatorAllTimeFigures> {
  const sums = await sumOperatorMeasures(db, operator.client_id, null, [operator.id], { presence: false });
  const figures = figuresOf(sums.get(operator.id));
  return {
    conversation_number: Number(FORMULAS.contact_number.value(figures) ?? 0),
    problem: figures.get('problems'),
  };
}

/** The fields of v1 getStats the rollups carry exactly, for one operator over a period. */
export interface OperatorPeriodFigures {
  /** `presence_duration`: their connected seconds in the period. */
  presenceSeconds: number;
  /** The same in hours, two decimals. */
  presenceHours: number;
  /** `contact_number` over every channel: their conversations created in the period. */
  chatCount: number;
  /** `contact_duration` in minutes, unrounded: the mean length of the closed ones among those; 0 when none is. */
  meanMinutes: number;
  /** The `problems` measure: those conversations with a problem reported on them, whoever reported it. */
  problems: number;
}

/**
 * Per operator of the client (all, or those listed) with any figure in the period (widened to whole hours): an
 * operator missing from the map has none (its figures are all 0).
 */
export async function loadOperatorPeriodFigures(
  db: Kysely<Database>,
  clientId: number,
  period: InstantPeriod,
  operatorIds?: readonly number[],
): Promise<Map<number, OperatorPeriodFigures>> {
  const sums = await sumOperatorMeasures(db, clientId, period, operatorIds, { presence: true });
  const out = new Map<number, OperatorPeriodFigures>();
  for (const [operatorId, own] of sums) {
    const figures = figuresOf(own);
    const presenceSeconds = Number(FORMULAS.presence_duration.value(figures) ?? 0);
    const meanSeconds = FORMULAS.contact_duration.value(figures);
    out.set(operatorId, {
      presenceSeconds,
      presenceHours: Math.round((presenceSeconds / 3600) * 100) / 100,
      chatCount: Number(FORMULAS.contact_number.value(figures) ?? 0),
      meanMinutes: typeof meanSeconds === 'number' ? meanSeconds / 60 : 0,
      problems: figures.get('problems'),
    });
  }
  return out;
}

/** An operator without any figure in the period. */
export const NO_PERIOD_FIGURES: Readonly<OperatorPeriodFigures> = {
  presenceSeconds: 0,
  presenceHours: 0,
  chatCount: 0,
  meanMinutes: 0,
  problems: 0,
};
