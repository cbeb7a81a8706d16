// Time as the API shows it: seed 003 dates are `YYYY-MM-DD HH:MM:SS`, in UTC.

/** Now, as stored: UTC ISO-8601. */
export function nowInstant(): string {
  return new Date().toISOString();
}

/** `2026-11-21T13:07:05.123Z` → `2026-11-21 13:07:05`. */
export function formatDateTime(instant: string): string {
  return `${instant.slice(0, 10)} ${instant.slice(11, 19)}`;
}
