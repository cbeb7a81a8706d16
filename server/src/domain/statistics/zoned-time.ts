// Wall-clock times of a client's time zone (IANA name) ↔ UTC instants, with Intl only (no tz database of our own).

export interface WallTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterOf(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (formatter === undefined) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/** True when Intl knows the zone (`Europe/Paris`, `UTC`). */
export function isTimeZone(name: string): boolean {
  try {
    formatterOf(name);
    return true;
  } catch {
    return false;
  }
}

/** The wall-clock time in the zone at a UTC instant. */
export function wallTimeAt(epochMs: number, timeZone: string): WallTime {
  const parts: Record<string, number> = {};
  for (const part of formatterOf(timeZone).formatToParts(new Date(epochMs)))
    if (part.type !== 'literal') parts[part.type] = Number(part.value);
  return {
    year: parts.year ?? 1970,
    month: parts.month ?? 1,
    day: parts.day ?? 1,
    hour: parts.hour ?? 0,
    minute: parts.minute ?? 0,
    second: parts.second ?? 0,
  };
}

const asUtc = (wall: WallTime) => Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute, wall.second);

/**
 * The UTC instant a wall-clock time of the zone names. In a spring-forward gap (a time that does not exist) it is
 * the instant after the gap; in an autumn overlap, the first of the two.
 */
export function instantOf(wall: WallTime, timeZone: string): number {
  const target = asUtc(wall);
  // The zone's offset at a first guess, then at the corrected instant: two steps settle every real zone.
  let guess = target - (asUtc(wallTimeAt(target, timeZone)) - target);
  guess = target - (asUtc(wallTimeAt(guess, timeZone)) - guess);
  const earlier = guess - 3_600_000;
  if (asUtc(wallTimeAt(earlier, timeZone)) === target) return earlier;
  return guess;
}

const two = (value: number) => String(value).padStart(2, '0');

export function formatWallDate(wall: WallTime): string {
  return `${wall.year}-${two(wall.month)}-${two(wall.day)}`;
}

export function formatWallDateTime(wall: WallTime): string {
  return `${formatWallDate(wall)} ${two(wall.hour)}:${two(wall.minute)}:${two(wall.second)}`;
}
