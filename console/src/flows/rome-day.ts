// Days as the commerce API reads them: dates without an offset are Europe/Rome's.
const romeDay = new Intl.DateTimeFormat('en-CA', {
  timeZone: 'Europe/Rome',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
});

/** `YYYY-MM-DD` of a day `daysAgo` before today, in Europe/Rome's calendar — the calendar the API reads dates in; the
 * browser's own would put "tomorrow" before now for the hour(s) Rome is already a day ahead. */
export function dayBefore(daysAgo: number, now = Date.now()): string {
  const today = romeDay.format(new Date(now)); // en-CA formats as YYYY-MM-DD
  const [year, month, day] = today.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(year, month - 1, day - daysAgo)).toISOString().slice(0, 10);
}
