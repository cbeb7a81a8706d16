// The rules of canned responses in the console, kept apart from React so they are unit tested: where a `/shortcut`
// is being typed in the composer, which responses it matches, how the rendered body replaces it, and the checks the
// admin form makes before the server does.

export type CannedScope = 'shared' | 'personal';

/** A canned response as the API answers it with `full=1`. */
export interface CannedResponse {
  id: number;
  shortcut: string;
  title: string;
  body: string;
  scope: CannedScope;
  operator_id: number | null;
  website_id: number | null;
  attachments: string[];
  updated_at?: string;
}

/** The variables the server accepts in a body (server/src/domain/canned/variables.ts). */
export const CANNED_VARIABLES = [
  'visitor.firstname',
  'visitor.name',
  'operator.firstname',
  'operator.name',
  'website.name',
] as const;

/** The `/word` the caret is in: from its `/` (at the start of the text or after a space) to the caret. */
export interface SlashQuery {
  start: number;
  end: number;
  /** What follows the `/`, lower case. */
  query: string;
}

const SHORTCUT_CHARACTER = /[\p{L}\p{N}_-]/u;

/** The `/shortcut` being typed at `caret`, or null when the caret is not in one. */
export function slashQueryAt(text: string, caret: number): SlashQuery | null {
  let index = caret;
  while (index > 0 && SHORTCUT_CHARACTER.test(text.charAt(index - 1))) index -= 1;
  const slash = index - 1;
  if (slash < 0 || text.charAt(slash) !== '/') return null;
  // A slash inside a word or a URL (`and/or`, `https://`) is not a shortcut.
  if (slash > 0 && !/\s/.test(text.charAt(slash - 1))) return null;
  return { start: slash, end: caret, query: text.slice(index, caret).toLowerCase() };
}

/**
 * The responses a query matches, best first: shortcuts starting with it (shortest first), then shortcuts or titles
 * containing it; alphabetical within each. Personal responses come before shared ones of the same rank.
 */
export function matchResponses(responses: readonly CannedResponse[], query: string, limit = 8): CannedResponse[] {
  const wanted = query.toLowerCase();
  const rank = (response: CannedResponse): number => {
    const shortcut = response.shortcut.toLowerCase();
    if (shortcut.startsWith(wanted)) return 0;
    if (shortcut.includes(wanted) || response.title.toLowerCase().includes(wanted)) return 1;
    return -1;
  };
  return responses
    .map((response) => ({ response, rank: rank(response) }))
    .filter((entry) => entry.rank >= 0)
    .sort(
      (a, b) =>
        a.rank - b.rank ||
        (a.response.scope === b.response.scope ? 0 : a.response.scope === 'personal' ? -1 : 1) ||
        a.response.shortcut.localeCompare(b.response.shortcut),
    )
    .slice(0, limit)
    .map((entry) => entry.response);
}

/** The option a key moves to among `count` (wrapping at both ends); -1 when there is none. */
export function moveActive(active: number, delta: 1 | -1, count: number): number {
  if (count === 0) return -1;
  return (active + delta + count) % count;
}

/** What is inserted for a response: its rendered body, then each attachment on its own line. */
export function insertionOf(rendered: { body: string; attachments: readonly string[] }): string {
  return [rendered.body, ...rendered.attachments].join('\n');
}

/** The text with `query`'s `/shortcut` replaced by `insertion`, and where the caret goes (after it). */
export function replaceSlashQuery(text: string, query: SlashQuery, insertion: string): { text: string; caret: number } {
  return {
    text: `${text.slice(0, query.start)}${insertion}${text.slice(query.end)}`,
    caret: query.start + insertion.length,
  };
}

/** The first `{{…}}` of a body that is not a known variable (as the server would refuse it). */
export function unknownVariable(body: string): string | null {
  for (const match of body.matchAll(/\{\{\s*([^{}]*?)\s*\}\}/g)) {
    const name = match[1] ?? '';
    if (!(CANNED_VARIABLES as readonly string[]).includes(name)) return name;
  }
  return null;
}

/** True when a shortcut is letters, digits, `-` and `_` only (at most 40), as the server requires. */
export function validShortcut(shortcut: string): boolean {
  return /^[\p{L}\p{N}_-]{1,40}$/u.test(shortcut);
}

/** The responses a search keeps in the admin list (shortcut, title or body, any case), and the scope chosen. */
export function searchResponses(
  responses: readonly CannedResponse[],
  search: string,
  scope: CannedScope | 'all',
): CannedResponse[] {
  const wanted = search.trim().toLowerCase();
  return responses
    .filter((response) => scope === 'all' || response.scope === scope)
    .filter(
      (response) =>
        wanted === '' ||
        [response.shortcut, response.title, response.body].some((field) => field.toLowerCase().includes(wanted)),
    )
    .sort((a, b) => a.shortcut.localeCompare(b.shortcut));
}
