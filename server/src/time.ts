// Time as the API shows it: seed 003 dates are `YYYY-MM-DD HH:MM:SS`, in UTC.

let lastMs = Number.NaN;
let lastInstant = '';

/**
 * Now, as stored: UTC ISO-8601, written once per millisecond. Nearly every row a node writes asks for it, many times
 * in one millisecond on a busy node: a Date's toISOString at each call was 1.5 % of a flows node's CPU.
 */
export function nowInstant(): string {
  const ms = Date.now();
  if (ms !== lastMs) {
    lastMs = ms;
    lastInstant = new Date(ms).toISOString();
  }
  return lastInstant;
}

/** `2026-11-21T13:07:05.123Z` → `2026-11-21 13:07:05`. */
export function formatDateTime(instant: string): string {
  return `${instant.slice(0, 10)} ${instant.slice(11, 19)}`;
}

const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})$/;

/** A date parameter as seed 003 writes it: `YYYY-MM-DD` (a whole day) or `YYYY-MM-DD HH:MM:SS` (one second), UTC. */
export interface ApiDate {
  /** First instant covered. */
  start: Date;
  /** First instant after the period the value names (the next day, or the next second). */
  endExclusive: Date;
}

/** Parses `YYYY-MM-DD` or `YYYY-MM-DD HH:MM:SS`; null when the text is neither or names no real date (2026-02-30). */
export function parseApiDate(value: string): ApiDate | null {
  const text = value.trim();
  const dateOnly = DATE_ONLY.exec(text);
  const dateTime = dateOnly ? null : DATE_TIME.exec(text);
  const parts = (dateOnly ?? dateTime)?.slice(1).map(Number);
  if (!parts) return null;
  const [year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0] = parts;
  const start = new Date(Date.UTC(year, month - 1, day, hour, minute, second));
  // Date.UTC rolls 2026-02-30 over to March: a value that does not come back unchanged is not a date.
  if (
    start.getUTCFullYear() !== year ||
    start.getUTCMonth() !== month - 1 ||
    start.getUTCDate() !== day ||
    hour > 23 ||
    minute > 59 ||
    second > 59
  )
    return null;
  const endExclusive = dateOnly ? new Date(start.getTime() + 86_400_000) : new Date(start.getTime() + 1000);
  return { start, endExclusive };
}

/** The same instant `months` calendar months later (or earlier when negative), clamped to the month's last day. */
export function addMonths(date: Date, months: number): Date {
  const target = new Date(date.getTime());
  const day = target.getUTCDate();
  target.setUTCDate(1);
  target.setUTCMonth(target.getUTCMonth() + months);
  const lastDay = new Date(Date.UTC(target.getUTCFullYear(), target.getUTCMonth() + 1, 0)).getUTCDate();
  target.setUTCDate(Math.min(day, lastDay));
  return target;
}

/** `2026-11-21T13:07:05.123Z` → `1763730425123`: the epoch milliseconds of a stored instant. */
export function epochMillis(instant: string): number {
  return Date.parse(instant);
}
