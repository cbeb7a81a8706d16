// The agent view's keyboard shortcuts: one list (the sheet `?` opens shows it, in the console's language) and the pure
// reading of a key press into the view's action. The conversation's own shortcuts (Alt+N, Alt+T, Alt+C) are handled
// by ConversationPane, the canned responses' `/` by the composer; they are listed here so that the sheet shows them.

/** The words of the button that opens the sheet (the sheet's own words load with it: shortcut-words.ts). */
export const SHEET_BUTTON = { en: 'Keyboard shortcuts (?)', fr: 'Raccourcis clavier (?)' } as const;

/** What a key press asks of the agent view. */
export type AgentAction =
  | 'help'
  | 'next'
  | 'previous'
  | 'reply'
  | 'tab-mine'
  | 'tab-waiting'
  | 'tab-closed'
  | 'tab-search';

/** The parts of a key press the reading needs (a DOM KeyboardEvent has them). */
export interface KeyPress {
  key: string;
  code: string;
  altKey: boolean;
  ctrlKey: boolean;
  metaKey: boolean;
}

export type ShortcutId =
  | 'help'
  | 'next'
  | 'previous'
  | 'tabs'
  | 'reply'
  | 'note'
  | 'canned'
  | 'transfer'
  | 'close'
  | 'escape';

/** Every shortcut of the agent view, in the order of the sheet, with the keys shown for it. */
export const SHORTCUTS: ReadonlyArray<{ id: ShortcutId; keys: readonly string[] }> = [
  { id: 'help', keys: ['?'] },
  { id: 'next', keys: ['Alt', '↓'] },
  { id: 'previous', keys: ['Alt', '↑'] },
  { id: 'tabs', keys: ['Alt', '1–4'] },
  { id: 'reply', keys: ['Alt', 'R'] },
  { id: 'note', keys: ['Alt', 'N'] },
  { id: 'canned', keys: ['/'] },
  { id: 'transfer', keys: ['Alt', 'T'] },
  { id: 'close', keys: ['Alt', 'C'] },
  { id: 'escape', keys: ['Esc'] },
];

const TABS: Record<string, AgentAction> = {
  Digit1: 'tab-mine',
  Digit2: 'tab-waiting',
  Digit3: 'tab-closed',
  Digit4: 'tab-search',
};

/**
 * The agent view's action for a key press, if any. `typing`: the focus is in a field, where `?` is a character to type
 * (Alt shortcuts still work there: Alt+R from the search field goes to the reply box). Keys are read by `code` for Alt
 * shortcuts, because Alt changes the character on some layouts (Alt+R is ® on a Mac).
 */
export function agentActionOf(press: KeyPress, typing: boolean): AgentAction | null {
  if (press.ctrlKey || press.metaKey) return null;
  if (!press.altKey) return press.key === '?' && !typing ? 'help' : null;
  if (press.code === 'ArrowDown') return 'next';
  if (press.code === 'ArrowUp') return 'previous';
  if (press.code === 'KeyR') return 'reply';
  return TABS[press.code] ?? null;
}

/** The id after (`step` 1) or before (-1) `current` in a list, staying at its ends; the first (or last) when none is open. */
export function neighbourOf(ids: readonly number[], current: number | null, step: 1 | -1): number | null {
  if (ids.length === 0) return null;
  const at = current === null ? -1 : ids.indexOf(current);
  if (at === -1) return step === 1 ? (ids[0] ?? null) : (ids[ids.length - 1] ?? null);
  return ids[Math.min(ids.length - 1, Math.max(0, at + step))] ?? null;
}

/** What the typing test reads of the focused element (a DOM element has it). */
export interface FocusedElement {
  tagName: string;
  type?: string;
  isContentEditable?: boolean;
}

/** Whether the element with the focus takes typed characters. */
export function isTypingTarget(element: FocusedElement | null): boolean {
  if (element === null) return false;
  const tag = element.tagName.toUpperCase();
  if (tag === 'TEXTAREA' || tag === 'SELECT') return true;
  if (tag === 'INPUT') return !['checkbox', 'radio', 'button', 'submit', 'reset'].includes(element.type ?? 'text');
  return element.isContentEditable === true;
}
