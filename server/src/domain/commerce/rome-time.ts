// Seed 001's reference zone (CET/CEST): instants shown as Europe/Rome local times with their offset, inputs read with
// their own offset or as Europe/Rome, and the next occurrence of a local time of day (a flow's `wait until`).
const ZONE = 'Europe/Rome';

const parts = new Intl.DateTimeFormat('en-GB', {
  timeZone: ZONE,
  hourCycle: 'h23',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
});

/** Minutes Europe/Rome is ahead of UTC at an instant (60 or 120). */
function offsetMinutes(ms: number): number {
  const fields = Object.fromEntries(parts.formatToParts(new Date(ms)).map((part) => [part.type, part.value]));
  const local = Date.UTC(
    Number(fields.year),
    Number(fields.month) - 1,
    Number(fields.day),
    Number(fields.hour),
    Number(fields.minute),
    Number(fields.second),
  );
  return Math.round((local - Math.floor(ms / 1000) * 1000) / 60_000);
}

/** `2026-07-01T14:00:00+02:00`: a stored UTC instant in Europe/Rome; null stays null. */
export function romeTime(instant: string): string;
export function romeTime(instant: string | null): string | null;
export function romeTime(instant: string | null): string | null {
  if (instant === null) return null;
  const ms = Date.parse(instant);
  const offset = offsetMinutes(ms);
  const local = new Date(Math.floor(ms / 1000) * 1000 + offset * 60_000).toISOString().slice(0, 19);
  const sign = offset >= 0 ? '+' : '-';
  const hours = String(Math.floor(Math.abs(offset) / 60)).padStart(2, '0');
  const minutes = String(Math.abs(offset) % 60).padStart(2, '0');
  return `${local}${sign}${hours}:${minutes}`;
}

/** The UTC instant of a wall-clock time in Europe/Rome (`Date.UTC` fields read as Rome local time). */
function fromRomeWallClock(wallMs: number): number {
  // The offset at the wall time read as UTC is right except in the hour a change skips or repeats; one more pass fixes it.
  let guess = wallMs - offsetMinutes(wallMs) * 60_000;
  guess = wallMs - offsetMinutes(guess) * 60_000;
  return guess;
}

/**
 * An input time as a stored instant: ISO 8601 with an offset or `Z` is taken as is; without one (`2026-07-01 14:00`,
 * `2026-07-01T14:00:00`, `2026-07-01`) it is Europe/Rome local time. Null when it is not a date.
 */
export function parseRomeInput(value: string): string | null {
  const text = value.trim();
  const match = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?$/.exec(
    text,
  );
  if (match === null) return null;
  const [, y, mo, d, h = '00', mi = '00', s = '00', zone] = match;
  if (zone !== undefined) {
    const ms = Date.parse(text.replace(' ', 'T'));
    return Number.isNaN(ms) ? null : new Date(ms).toISOString();
  }
  const wall = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
  const check = new Date(wall);
  if (check.getUTCMonth() !== Number(mo) - 1 || check.getUTCDate() !== Number(d) || Number(h) > 23) return null;
  return new Date(fromRomeWallClock(wall)).toISOString();
}

/** The next instant after `now` at which Europe/Rome's clock reads `HH:MM`. */
export function nextRomeTimeOfDay(hhmm: string, now: Date): string {
  const [hours, minutes] = hhmm.split(':').map(Number) as [number, number];
  const local = new Date(now.getTime() + offsetMinutes(now.getTime()) * 60_000);
  for (let days = 0; days <= 2; days++) {
    const wall = Date.UTC(local.getUTCFullYear(), local.getUTCMonth(), local.getUTCDate() + days, hours, minutes);
    const at = fromRomeWallClock(wall);
    if (at > now.getTime()) return new Date(at).toISOString();
  }
  return new Date(now.getTime() + 86_400_000).toISOString();
}
