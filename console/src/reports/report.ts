// The reports page's logic without React: periods, the GET /api/2/statistic query, value formatting, sorting and CSV.
import type { IndicatorInfo, StatisticRow, StatisticValue } from '../api';

/** Seed 003's `filters[channel]` values, then the messaging sources. */
export const REPORT_CHANNELS = ['chat', 'call', 'video', 'whatsapp', 'sms', 'rcs'] as const;
export type ReportChannel = (typeof REPORT_CHANNELS)[number];

/** What the table can be grouped by; `none` gives one row for the websites together. */
export const REPORT_RESOURCES = ['none', 'operator', 'group', 'skill', 'rule', 'contact_type', 'page_type'] as const;
export type ReportResource = (typeof REPORT_RESOURCES)[number];

export const REPORT_PERIODS = ['today', '7days', '30days', 'month', 'custom'] as const;
export type ReportPeriod = (typeof REPORT_PERIODS)[number];

export const GRANULARITIES = ['hour', 'day', 'month'] as const;
export type Granularity = (typeof GRANULARITIES)[number];

/** The figures shown at the top of the page, in this order. */
export const HEADLINE_INDICATORS = [
  'contact_number',
  'contact_waiting_duration',
  'satisfaction_global_rate',
  'presence_duration',
  'transaction_after_contact_amount',
  'conversion_rate',
] as const;

/** The columns of the table before anyone picks others: the headline figures. */
export const DEFAULT_TABLE_INDICATORS: readonly string[] = HEADLINE_INDICATORS;

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Today's date (`YYYY-MM-DD`) in a time zone: the client's, so that "today" means what the API's default means. */
export function todayIn(timeZone: string | undefined, now: Date = new Date()): string {
  try {
    // en-CA writes dates as YYYY-MM-DD.
    return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(
      now,
    );
  } catch {
    return new Intl.DateTimeFormat('en-CA', { year: 'numeric', month: '2-digit', day: '2-digit' }).format(now);
  }
}

/** A `YYYY-MM-DD` date moved by whole days (calendar arithmetic, no time zone involved). */
export function addDays(date: string, days: number): string {
  const match = DATE.exec(date);
  if (!match) throw new Error(`Not a date: ${date}`);
  const moved = new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]) + days));
  return moved.toISOString().slice(0, 10);
}

/**
 * The `from` and `to` dates of a period (both included: a date-only `to` covers its whole day), or null for a custom
 * period still missing a date. A custom period is passed on as typed: the API judges it (`from` after `to`…).
 */
export function periodRange(
  period: ReportPeriod,
  today: string,
  custom: { from: string; to: string },
): { from: string; to: string } | null {
  switch (period) {
    case 'today':
      return { from: today, to: today };
    case '7days':
      return { from: addDays(today, -6), to: today };
    case '30days':
      return { from: addDays(today, -29), to: today };
    case 'month':
      return { from: `${today.slice(0, 7)}-01`, to: today };
    case 'custom':
      return custom.from === '' || custom.to === '' ? null : { from: custom.from, to: custom.to };
  }
}

export interface StatisticFilters {
  websiteIds: readonly number[];
  channel: ReportChannel;
  from: string;
  to: string;
  resource: ReportResource;
  indicators: readonly string[];
  granularity?: Granularity;
}

/** The query string of GET /api/2/statistic for these filters, with the seed's filter names. */
export function statisticQuery(filters: StatisticFilters): Record<string, string> {
  const query: Record<string, string> = {
    'filters[website_list]': filters.websiteIds.join(','),
    'filters[channel]': filters.channel,
    'filters[from]': filters.from,
    'filters[to]': filters.to,
    'filters[indicators]': filters.indicators.join(','),
  };
  if (filters.resource !== 'none') query['filters[resource]'] = filters.resource;
  if (filters.granularity !== undefined) query['filters[granularity]'] = filters.granularity;
  return query;
}

/**
 * The indicators of `wanted` (in its order) the API answers for this channel and grouping: asked for another, it
 * refuses the whole request (400), so the page leaves those out and says so.
 */
export function applicable(
  catalogue: readonly IndicatorInfo[],
  wanted: readonly string[],
  channel: ReportChannel,
  resource: ReportResource,
): IndicatorInfo[] {
  const byName = new Map(catalogue.map((indicator) => [indicator.name, indicator]));
  return wanted.flatMap((name) => {
    const indicator = byName.get(name);
    if (indicator === undefined || !indicator.channels.includes(channel)) return [];
    if (resource !== 'none' && !indicator.groupable_by.includes(resource)) return [];
    return [indicator];
  });
}

/** A duration in seconds as people read it: `1 h 05 min`, `3 min 20 s`, `42 s`. */
export function formatDuration(seconds: number): string {
  const total = Math.round(Math.abs(seconds));
  const sign = seconds < 0 && total > 0 ? '−' : '';
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const rest = total % 60;
  if (hours > 0) return `${sign}${hours} h ${String(minutes).padStart(2, '0')} min`;
  if (minutes > 0) return `${sign}${minutes} min ${String(rest).padStart(2, '0')} s`;
  return `${sign}${rest} s`;
}

/** The dash shown where the API answers null (an average over nothing). */
export const NO_VALUE = '—';

/** A value of the API formatted by its indicator's unit, in the operator's language. */
export function formatValue(
  value: StatisticValue | undefined,
  unit: string,
  language: string,
  currency: string | null,
): string {
  if (value === null || value === undefined) return NO_VALUE;
  if (typeof value === 'string') return value;
  switch (unit) {
    case 'seconds':
      return formatDuration(value);
    case 'rate':
      return new Intl.NumberFormat(language, { style: 'percent', maximumFractionDigits: 1 }).format(value);
    case 'amount':
      return currency === null
        ? new Intl.NumberFormat(language, { minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(value)
        : new Intl.NumberFormat(language, { style: 'currency', currency }).format(value);
    case 'count':
      return new Intl.NumberFormat(language, { maximumFractionDigits: 0 }).format(value);
    default:
      return new Intl.NumberFormat(language, { maximumFractionDigits: 2 }).format(value);
  }
}

export type SortDirection = 'ascending' | 'descending';

/**
 * Rows ordered by one column: numbers by value, texts in the language's order; null and missing values last whatever
 * the direction (an undefined average is not the smallest one). Ties keep the API's order.
 */
export function sortRows(
  rows: readonly StatisticRow[],
  column: string,
  direction: SortDirection,
  language: string,
): StatisticRow[] {
  const sign = direction === 'ascending' ? 1 : -1;
  const collator = new Intl.Collator(language, { numeric: true });
  return rows
    .map((row, index) => ({ row, index }))
    .sort((left, right) => {
      const a = left.row[column];
      const b = right.row[column];
      const aMissing = a === null || a === undefined;
      const bMissing = b === null || b === undefined;
      if (aMissing || bMissing) return aMissing === bMissing ? left.index - right.index : aMissing ? 1 : -1;
      const order = typeof a === 'number' && typeof b === 'number' ? a - b : collator.compare(String(a), String(b));
      return order === 0 ? left.index - right.index : sign * order;
    })
    .map(({ row }) => row);
}

/** The columns naming a row's resource, as the API gives them, before the indicators. */
export const RESOURCE_COLUMNS = ['resource', 'resource_id', 'resource_label'] as const;

function csvCell(value: StatisticValue | undefined): string {
  if (value === null || value === undefined) return '';
  // A number is written as JSON writes it (String and JSON.stringify agree on finite numbers): the API's own figure.
  const text = String(value);
  return /[",\r\n]/.test(text) || text !== text.trim() ? `"${text.replaceAll('"', '""')}"` : text;
}

/**
 * The rows as CSV (RFC 4180, CRLF lines): a header of the column names, then one line per row in the API's order,
 * each value unformatted (seconds, fractions 0..1, amounts as numbers; empty where the API says null).
 */
export function toCsv(rows: readonly StatisticRow[], columns: readonly string[]): string {
  const lines = [columns.map((column) => csvCell(column)).join(',')];
  for (const row of rows) lines.push(columns.map((column) => csvCell(row[column])).join(','));
  return `${lines.join('\r\n')}\r\n`;
}

/** The start of a period of the API (`YYYY-MM-DD HH:00:00`, `YYYY-MM-DD` or `YYYY-MM`) in Unix seconds, read as UTC. */
export function periodStart(period: string): number | null {
  const match = /^(\d{4})-(\d{2})(?:-(\d{2})(?: (\d{2}):00:00)?)?$/.exec(period);
  if (!match) return null;
  const [, year, month, day, hour] = match;
  return Date.UTC(Number(year), Number(month) - 1, day ? Number(day) : 1, hour ? Number(hour) : 0) / 1000;
}

/** The x (period starts) and y (values, null kept as a gap) arrays of a time series for the chart. */
export function seriesOf(rows: readonly StatisticRow[], indicator: string): { x: number[]; y: (number | null)[] } {
  const x: number[] = [];
  const y: (number | null)[] = [];
  for (const row of rows) {
    const start = typeof row.period === 'string' ? periodStart(row.period) : null;
    if (start === null) continue;
    const value = row[indicator];
    x.push(start);
    y.push(typeof value === 'number' ? value : null);
  }
  return { x, y };
}
