// A match's surroundings as safe HTML: the stored text escaped, with only the search's own <mark> around matches.

/** Private-use characters the database puts around matches; they never come out of this module. */
export const MARK_START = '\uE000';
export const MARK_END = '\uE001';

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes every character HTML gives a meaning to, then turns the markers into <mark> elements (balanced). */
export function snippetHtml(marked: string): string {
  let open = false;
  let html = '';
  for (const character of marked.replace(/[&<>"']/g, (special) => ESCAPES[special] ?? special)) {
    if (character === MARK_START && !open) {
      html += '<mark>';
      open = true;
    } else if (character === MARK_END && open) {
      html += '</mark>';
      open = false;
    } else if (character !== MARK_START && character !== MARK_END) html += character;
  }
  return open ? `${html}</mark>` : html;
}
