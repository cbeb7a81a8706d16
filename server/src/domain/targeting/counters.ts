// The widget's reports of displays and triggers, checked and added to the hourly counters (targeting_rule_counter):
// one row per website × hour × channel × rule × page type, added to by every report, never one row per display.
import { type Kysely, sql } from 'kysely';
import type { Database } from '../../db/schema.js';
import { ApiError, fieldInvalid, fieldMissing } from '../../errors.js';
import { transact } from '../../events/transact.js';

/** Entries per report and bytes per body: a page sends a few rules × page types every few seconds at most. */
export const MAX_REPORT_ENTRIES = 50;
export const MAX_REPORT_BYTES = 8 * 1024;
/** Per count of one entry: a page decides once per page view and reports every 10 seconds, so a few at most. */
export const MAX_REPORT_COUNT = 100;
export const MAX_PAGE_TYPE = 64;

export const COUNT_FIELDS = ['displays', 'triggers', 'withheld_busy', 'withheld_offline'] as const;
type CountField = (typeof COUNT_FIELDS)[number];

export interface ReportEntry extends Record<CountField, number> {
  rule_id: number;
  page_type: string;
}

export interface Report {
  website_id: number;
  entries: ReportEntry[];
}

const malformed = (message: string, field?: string) =>
  new ApiError('field_invalid', 400, message, 'fail', field === undefined ? {} : { field });

const isCount = (value: unknown): value is number =>
  typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= MAX_REPORT_COUNT;
const isId = (value: unknown): value is number =>
  typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= 2_147_483_647;

/**
 * Reads a report body: JSON as an object, or as text (navigator.sendBeacon sends `text/plain`). Answers 400 naming the
 * field at fault; an entry's counts default to 0, and an entry counting nothing is refused.
 */
export function readReport(body: unknown): Report {
  let value = body;
  if (typeof value === 'string' || Buffer.isBuffer(value)) {
    try {
      value = JSON.parse(value.toString());
    } catch {
      throw malformed('The report is not valid JSON: send {"website_id": N, "entries": [...]}.');
    }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw malformed('The report must be a JSON object: {"website_id": N, "entries": [...]}.');
  const { website_id: websiteId, entries } = value as Record<string, unknown>;
  if (websiteId === undefined) throw fieldMissing('website_id');
  if (!isId(websiteId)) throw fieldInvalid('website_id', 'Expected a whole number identifier.');
  if (!Array.isArray(entries)) throw fieldInvalid('entries', 'Expected a list of {rule_id, page_type, counts}.');
  if (entries.length === 0 || entries.length > MAX_REPORT_ENTRIES)
    throw fieldInvalid('entries', `Expected 1 to ${MAX_REPORT_ENTRIES} entries.`);
  return { website_id: websiteId, entries: entries.map((entry, index) => readEntry(entry, `entries[${index}]`)) };
}

function readEntry(raw: unknown, at: string): ReportEntry {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw fieldInvalid(at, 'Expected an object.');
  const record = raw as Record<string, unknown>;
  for (const key of Object.keys(record))
    if (key !== 'rule_id' && key !== 'page_type' && !(COUNT_FIELDS as readonly string[]).includes(key))
      throw fieldInvalid(
        `${at}[${key}]`,
        `Unknown field: an entry has rule_id, page_type, ${COUNT_FIELDS.join(', ')}.`,
      );
  if (!isId(record.rule_id)) throw fieldInvalid(`${at}[rule_id]`, 'Expected a whole number identifier.');
  const pageType = record.page_type ?? '';
  if (typeof pageType !== 'string' || pageType.length > MAX_PAGE_TYPE || pageType.includes('\u0000'))
    throw fieldInvalid(`${at}[page_type]`, `Expected a text of at most ${MAX_PAGE_TYPE} characters.`);
  const entry: ReportEntry = {
    rule_id: record.rule_id,
    page_type: pageType.trim(),
    displays: 0,
    triggers: 0,
    withheld_busy: 0,
    withheld_offline: 0,
  };
  for (const field of COUNT_FIELDS) {
    const count = record[field] ?? 0;
    if (!isCount(count))
      throw fieldInvalid(`${at}[${field}]`, `Expected a whole number from 0 to ${MAX_REPORT_COUNT}.`);
    entry[field] = count;
  }
  if (COUNT_FIELDS.every((field) => entry[field] === 0)) throw fieldInvalid(at, 'The entry counts nothing.');
  return entry;
}

/** The UTC start of the hour of `now`, as the counters store it (`2026-12-04T10:00:00.000Z`). */
export function hourOf(now: Date): string {
  const hour = new Date(now.getTime());
  hour.setUTCMinutes(0, 0, 0);
  return hour.toISOString();
}

/**
 * Adds a report to the counters of the current hour. Entries naming a rule of another website (or none) are ignored —
 * counted in `ignored` — so a stale page cannot write into another client's figures; deleted or disabled rules of the
 * website still count (the page showed them). Answers how many entries were added and ignored.
 */
export async function addReport(
  db: Kysely<Database>,
  report: Report,
  now: Date,
): Promise<{ accepted: number; ignored: number }> {
  const hour = hourOf(now);
  return transact(db, async (trx) => {
    const ruleIds = [...new Set(report.entries.map((entry) => entry.rule_id))];
    const rules = await trx
      .selectFrom('targeting_rule')
      .select(['id', 'client_id', 'channel'])
      .where('website_id', '=', report.website_id)
      .where('id', 'in', ruleIds)
      .execute();
    const byId = new Map(rules.map((rule) => [rule.id, rule]));
    // One row per rule and page type, added in key order (two reports never wait on each other crosswise).
    const sums = new Map<string, ReportEntry>();
    let ignored = 0;
    for (const entry of report.entries) {
      if (!byId.has(entry.rule_id)) {
        ignored += 1;
        continue;
      }
      const key = `${String(entry.rule_id).padStart(10, '0')}\u0000${entry.page_type}`;
      const sum = sums.get(key);
      if (sum === undefined) sums.set(key, { ...entry });
      else for (const field of COUNT_FIELDS) sum[field] += entry[field];
    }
    for (const key of [...sums.keys()].sort()) {
      const entry = sums.get(key) as ReportEntry;
      const rule = byId.get(entry.rule_id) as { id: number; client_id: number; channel: string };
      await trx
        .insertInto('targeting_rule_counter')
        .values({
          client_id: rule.client_id,
          website_id: report.website_id,
          hour,
          channel: rule.channel,
          rule_id: rule.id,
          page_type: entry.page_type,
          displays: entry.displays,
          triggers: entry.triggers,
          withheld_busy: entry.withheld_busy,
          withheld_offline: entry.withheld_offline,
        })
        .onConflict((conflict) =>
          conflict.columns(['website_id', 'hour', 'channel', 'rule_id', 'page_type']).doUpdateSet({
            displays: sql`targeting_rule_counter.displays + excluded.displays`,
            triggers: sql`targeting_rule_counter.triggers + excluded.triggers`,
            withheld_busy: sql`targeting_rule_counter.withheld_busy + excluded.withheld_busy`,
            withheld_offline: sql`targeting_rule_counter.withheld_offline + excluded.withheld_offline`,
          }),
        )
        .execute();
    }
    return { accepted: report.entries.length - ignored, ignored };
  });
}
