// Where to go after login: `backto` (seed 003) is honoured only as a path of this console, never another site.

const CONSOLE_BASE = '/admin';

/**
 * The console path a `backto` value names, or the console's home. Seed 003 writes backto as `/pupitre` or `/users`:
 * paths of the console, so `/users` means `/admin/users`. Anything that could leave the origin (`//host`, `/\host`,
 * `https://…`, `javascript:…`, control characters) gives the home page instead: no open redirect.
 */
export function safeBackto(raw: string | null | undefined, origin: string): string {
  const home = `${CONSOLE_BASE}/`;
  if (raw === null || raw === undefined || raw === '') return home;
  // Only a path: one leading slash, then no second slash or backslash (protocol-relative URLs), no control characters.
  // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is what this test is for.
  if (!raw.startsWith('/') || raw.startsWith('//') || raw.includes('\\') || /[\u0000-\u001f\u007f]/.test(raw))
    return home;
  let url: URL;
  try {
    url = new URL(raw, origin);
  } catch {
    return home;
  }
  if (url.origin !== origin) return home;
  const path =
    url.pathname === CONSOLE_BASE || url.pathname.startsWith(`${CONSOLE_BASE}/`)
      ? url.pathname
      : `${CONSOLE_BASE}${url.pathname}`;
  // The login page itself would loop.
  if (path === `${CONSOLE_BASE}/login`) return home;
  return `${path}${url.search}${url.hash}`;
}
