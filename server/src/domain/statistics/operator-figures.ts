// Per-operator figures read from the statistics rollups, for GET /operator/{id}/statistic and v1 operator_stats/getStats:
// the measures of each operator's rollup rows, summed over every channel, and the seed fields computed from them with
// the engine's formulas, or from the operator credits (messages written, surveys and sales credited to them, sold
// conversations) that the rollups carry for these fields (see docs/STATISTICS.md, "Operator statistic and v1 getStats").
//
// Why not queryStatistics itself: its request reads one channel (seed 002 and 003 count every channel, `social`
// included, which no statistic channel covers), answers rounded indicators (v1 gives unrounded means, which summing
// rounded per-channel figures cannot give), lists only operators linked to a website, and spans at most 3,660 days
// (the operator statistic is all time). So this module reads the same rollup rows the engine reads, through the same
// choice of segments (days.ts segmentsFor: whole local days from stats_day while they were summed in the client's zone,
// the hours around them from stats_hour), and applies the engine's formulas (formulas.ts).
import { type Kysely, sql } from 'kysely';
import type { Database, StatsMeasure } from '../../db/schema.js';
import { rollupRowsOf, segmentsFor, timeZoneOf } from './days.js';
import { type Figures, FORMULAS } from './formulas.js';
import { HOUR_MS } from './rollup-rows.js';

/**
 * Measures of an operator's website rows (`resource` 'operator', every channel and source, and `credit`):
 * - `contacts`: conversations created in the hour whose operator (`conversation.operator_id`, the last holder) is them;
 * - `problems`: those of them with a problem reported (`conversation.problem_reported_at` set), whoever reported it;
 * - `duration_sum`, `duration_n`: seconds from creation to closing of the closed ones, and how many;
 * - `sold_contacts`: those of them followed by a sale (any date), answered or not;
 * - `authored_messages`: operator messages they wrote (`conversation_message.operator_id`), in conversations created in
 *   the hour, whoever holds them;
 * - `credited_surveys`, `credited_note_*_sum`: surveys given in the hour (`satisfaction.created_at`) for the operator
 *   recorded on them, else the conversation's, and their notes; `recorded_surveys`, `recorded_notes_sum`: those given
 *   in the hour recorded with them (`satisfaction.operator_id`), and the sum of their three notes;
 * - `credited_sales`, `credited_sales_cents`: sales made in the hour credited to them (`sale.operator_id`, else the
 *   conversation's), and their amounts in cents (each rounded, summed exactly).
 */
const CONTACT_MEASURES = [
  'contacts',
  'problems',
  'duration_sum',
  'duration_n',
  'sold_contacts',
  'authored_messages',
  'credited_surveys',
  'credited_note_welcome_sum',
  'credited_note_delay_sum',
  'credited_note_resolution_sum',
  'recorded_surveys',
  'recorded_notes_sum',
  'credited_sales',
  'credited_sales_cents',
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
  const aligned = period === null ? null : hourAlignedPeriod(period);
  const segments = await segmentsFor(
    db,
    [clientId],
    await timeZoneOf(db, clientId),
    aligned === null ? null : { from: Date.parse(aligned.start), to: Date.parse(aligned.end) },
  );
  for (const segment of segments) {
    for (const ids of idChunks) {
      let contacts = rollupRowsOf(db, segment)
        .select((eb) => ['resource_id', ...CONTACT_MEASURES.map((measure) => eb.fn.sum(sql.ref(measure)).as(measure))])
        // Every channel and source: the website rows of the client's websites (presence rows have website 0).
        .where('website_id', 'in', clientWebsites)
        .where('client_id', '=', clientId)
        // Their conversation rows and their credit rows (contact-rollups.ts), both keyed by the operator's id.
        .where('resource', 'in', ['operator', 'credit'])
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

/** The fields of GET /operator/{id}/statistic, all time. */
export interface OperatorAllTimeFigures {
  /** `contact_number` over every channel: conversations whose operator is them (every status, all time). */
  conversation_number: number;
  /** The `problems` measure: those conversations with a problem reported on them, whoever reported it. */
  problem: number;
  /**
   * Over the surveys recorded with them (`recorded_*`): the mean of each survey's three notes (1 to 3) divided by 3,
   * rounded to 2 decimals; null without surveys.
   */
  satisfaction_global_rate: number | null;
  /** `authored_messages`: the operator messages they wrote. */
  experience: number;
}

export async function loadOperatorAllTimeFigures(
  db: Kysely<Database>,
  operator: { id: number; client_id: number },
): Promise<OperatorAllTimeFigures> {
  const sums = await sumOperatorMeasures(db, operator.client_id, null, [operator.id], { presence: false });
  const figures = figuresOf(sums.get(operator.id));
  const surveys = figures.get('recorded_surveys');
  return {
    conversation_number: Number(FORMULAS.contact_number.value(figures) ?? 0),
    problem: figures.get('problems'),
    // Σ(notes) / (3 notes × 3 points × surveys), rounded on whole hundredths so 0.665 cannot drift to 0.66.
    satisfaction_global_rate:
      surveys === 0 ? null : Math.round((figures.get('recorded_notes_sum') * 100) / (9 * surveys)) / 100,
    experience: figures.get('authored_messages'),
  };
}

/** The figures of v1 getStats, for one operator over a period. */
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
  /** `sold_contacts`: those conversations followed by a sale (any date), answered or not. */
  soldConversations: number;
  /** Surveys given in the period credited to them (recorded on the survey, else the conversation's operator). */
  surveys: number;
  /** The sums of those surveys' notes (1 to 3 each). */
  noteWelcomeSum: number;
  noteDelaySum: number;
  noteResolutionSum: number;
  /** Sales made in the period credited to them (reported with the sale, else the conversation's operator). */
  salesCount: number;
  /** The sum of those sales' amounts in cents, each rounded to the cent. */
  turnoverCents: number;
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
      soldConversations: figures.get('sold_contacts'),
      surveys: figures.get('credited_surveys'),
      noteWelcomeSum: figures.get('credited_note_welcome_sum'),
      noteDelaySum: figures.get('credited_note_delay_sum'),
      noteResolutionSum: figures.get('credited_note_resolution_sum'),
      salesCount: figures.get('credited_sales'),
      turnoverCents: figures.get('credited_sales_cents'),
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
  soldConversations: 0,
  surveys: 0,
  noteWelcomeSum: 0,
  noteDelaySum: 0,
  noteResolutionSum: 0,
  salesCount: 0,
  turnoverCents: 0,
};
