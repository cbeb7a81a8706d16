// What a person typed into a search box → the words searched, and each dialect's match expression for them.
import { fieldInvalid } from '../../errors.js';

export const MAX_QUERY_LENGTH = 200;
/** More words than this add nothing a person would notice and only slow the match down. */
const MAX_WORDS = 8;

/**
 * Splits the text into words (letters and digits, keeping the `@ . _ -` inside an email or an order number), or
 * answers 400 naming `field` when there is nothing to search or too much. Every word must match (AND), each as a
 * prefix, so "order" also finds "orders".
 */
export function searchWords(text: unknown, field: string): string[] {
  if (typeof text !== 'string' || text.trim() === '') throw fieldInvalid(field, 'Give the words to search for.');
  if (text.length > MAX_QUERY_LENGTH)
    throw fieldInvalid(field, `Search for at most ${MAX_QUERY_LENGTH} characters (${text.length} given).`);
  const words = text
    .split(/\s+/u)
    .map((word) =>
      word
        .normalize('NFC')
        .toLowerCase()
        .replace(/[^\p{L}\p{N}@._-]+/gu, '')
        .replace(/^[^\p{L}\p{N}]+|[^\p{L}\p{N}]+$/gu, ''),
    )
    .filter((word) => word !== '');
  if (words.length === 0) throw fieldInvalid(field, 'Give at least one word made of letters or digits.');
  return [...new Set(words)].slice(0, MAX_WORDS);
}

/** FTS5: each word a quoted phrase (its punctuation splits it into adjacent tokens) matched as a prefix. */
export function ftsMatch(words: readonly string[]): string {
  return words.map((word) => `"${word.replaceAll('"', '')}"*`).join(' AND ');
}

/** PostgreSQL `to_tsquery('simple', …)`: each word quoted as one operand, as a prefix, all required. */
export function tsQuery(words: readonly string[]): string {
  return words.map((word) => `'${word.replaceAll("'", '').replaceAll('\\', '')}':*`).join(' & ');
}
