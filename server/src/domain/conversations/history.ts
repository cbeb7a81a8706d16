// Conversation history: entry kinds, seed 003's tuple format, and the checks on entries a caller writes or imports.
import { MESSAGE_KIND, type MessageKind } from '../../db/schema.js';
import { fieldInvalid } from '../../errors.js';
import { epochMillis, formatDateTime, parseApiDate } from '../../time.js';

/** The system notices closing a conversation, as seed 003's history example writes them. */
export const OPERATOR_CHAT_CLOSE = 'OPERATOR_CHAT_CLOSE';
export const VISITOR_CHAT_CLOSE = 'VISITOR_CHAT_CLOSE';

const KIND_BY_NAME: Record<string, MessageKind> = {
  operator: MESSAGE_KIND.operator,
  visitor: MESSAGE_KIND.visitor,
  system: MESSAGE_KIND.system,
  navigation: MESSAGE_KIND.navigation,
  note: MESSAGE_KIND.note,
  '1': MESSAGE_KIND.operator,
  '2': MESSAGE_KIND.visitor,
  '3': MESSAGE_KIND.system,
  '5': MESSAGE_KIND.navigation,
  '6': MESSAGE_KIND.note,
};

/** `operator`, `2`, 5… → the stored kind; undefined for anything else. */
export function readMessageKind(value: string | number): MessageKind | undefined {
  const key = String(value).trim().toLowerCase();
  return Object.hasOwn(KIND_BY_NAME, key) ? KIND_BY_NAME[key] : undefined;
}

/** The name of a kind, for event payloads. */
export function kindName(kind: MessageKind): 'operator' | 'visitor' | 'system' | 'navigation' | 'note' {
  switch (kind) {
    case MESSAGE_KIND.operator:
      return 'operator';
    case MESSAGE_KIND.visitor:
      return 'visitor';
    case MESSAGE_KIND.system:
      return 'system';
    case MESSAGE_KIND.navigation:
      return 'navigation';
    case MESSAGE_KIND.note:
      return 'note';
  }
}

/** Seed 003's tuple: messages (1, 2) carry epoch milliseconds; system notices (3) and navigation (5) do not. */
export type HistoryTuple = [MessageKind, string, string, number] | [MessageKind, string, string];

export interface StoredEntry {
  kind: MessageKind;
  body: string;
  created_at: string;
}

export function historyTuple(entry: StoredEntry): HistoryTuple {
  const shown = formatDateTime(entry.created_at);
  if (entry.kind === MESSAGE_KIND.operator || entry.kind === MESSAGE_KIND.visitor)
    return [entry.kind, shown, entry.body, epochMillis(entry.created_at)];
  return [entry.kind, shown, entry.body];
}

/** Navigation entries name the page the visitor saw: an http(s) URL, returned trimmed; undefined when the text is not one. */
export function navigationUrl(text: string): string | undefined {
  const trimmed = text.trim();
  try {
    const url = new URL(trimmed);
    return url.protocol === 'http:' || url.protocol === 'https:' ? trimmed : undefined;
  } catch {
    return undefined;
  }
}

export const NAVIGATION_PROBLEM =
  "A navigation entry is the http or https URL of a page, such as 'https://shop.example/cart'.";

/** A history entry to import, read and checked. */
export interface ImportedEntry {
  kind: MessageKind;
  text: string;
  /** Stored instant (UTC ISO). */
  at: string;
}

const DATE_TIME = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/;

/**
 * Reads `[type, "YYYY-MM-DD HH:MM:SS", text]` entries (a fourth element, epoch milliseconds, may refine the time
 * within that second). Entries must be in time order and not in the future; errors name the entry, from 1.
 */
export function readImportedHistory(
  entries: ReadonlyArray<ReadonlyArray<string | number>>,
  now: Date,
): ImportedEntry[] {
  const read: ImportedEntry[] = [];
  let previous = Number.NEGATIVE_INFINITY;
  entries.forEach((entry, index) => {
    const problem = (why: string) => fieldInvalid('history', `Entry ${index + 1}: ${why}`);
    const [type, date, text, millis] = entry;
    const kind = type === undefined ? undefined : readMessageKind(type);
    if (kind === undefined) throw problem('the type must be 1 (operator), 2 (visitor), 3 (system) or 5 (navigation).');
    const parsed = typeof date === 'string' && DATE_TIME.test(date.trim()) ? parseApiDate(date) : null;
    if (parsed === null) throw problem('the date must be written YYYY-MM-DD HH:MM:SS (UTC).');
    let instant = parsed.start.getTime();
    if (millis !== undefined) {
      const value = typeof millis === 'number' ? millis : Number(millis);
      if (!Number.isInteger(value) || value < instant || value >= parsed.endExclusive.getTime()) {
        throw problem('the fourth element, epoch milliseconds, must fall within the second the date names.');
      }
      instant = value;
    }
    if (instant > now.getTime()) throw problem('the date is in the future.');
    if (instant < previous) throw problem('entries must be in time order, oldest first.');
    previous = instant;
    if (typeof text !== 'string' || text.trim() === '') throw problem('the text must not be empty.');
    const body = kind === MESSAGE_KIND.navigation ? navigationUrl(text) : text;
    if (body === undefined) throw problem(NAVIGATION_PROBLEM);
    read.push({ kind, text: body, at: new Date(instant).toISOString() });
  });
  return read;
}
