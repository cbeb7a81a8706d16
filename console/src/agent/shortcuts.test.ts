import { describe, expect, it } from 'vitest';
import { SHORTCUT_WORDS } from './shortcut-words';
import { agentActionOf, isTypingTarget, type KeyPress, neighbourOf, SHORTCUTS } from './shortcuts';

const press = (key: string, code: string, alt = false, extra: Partial<KeyPress> = {}): KeyPress => ({
  key,
  code,
  altKey: alt,
  ctrlKey: false,
  metaKey: false,
  ...extra,
});

describe('agent shortcuts', () => {
  it('opens the sheet with ? unless the operator is typing', () => {
    expect(agentActionOf(press('?', 'Slash'), false)).toBe('help');
    expect(agentActionOf(press('?', 'Comma'), false)).toBe('help');
    expect(agentActionOf(press('?', 'Slash'), true)).toBeNull();
  });

  it('reads Alt shortcuts by key position, also while typing', () => {
    expect(agentActionOf(press('®', 'KeyR', true), true)).toBe('reply');
    expect(agentActionOf(press('ArrowDown', 'ArrowDown', true), true)).toBe('next');
    expect(agentActionOf(press('ArrowUp', 'ArrowUp', true), false)).toBe('previous');
    expect(agentActionOf(press('&', 'Digit1', true), false)).toBe('tab-mine');
    expect(agentActionOf(press("'", 'Digit4', true), false)).toBe('tab-search');
  });

  it('leaves other keys alone: plain letters, Ctrl and Cmd combinations, the pane’s own Alt keys', () => {
    expect(agentActionOf(press('r', 'KeyR'), false)).toBeNull();
    expect(agentActionOf(press('ArrowDown', 'ArrowDown'), false)).toBeNull();
    expect(agentActionOf(press('r', 'KeyR', true, { ctrlKey: true }), false)).toBeNull();
    expect(agentActionOf(press('?', 'Slash', false, { metaKey: true }), false)).toBeNull();
    expect(agentActionOf(press('n', 'KeyN', true), false)).toBeNull();
    expect(agentActionOf(press('t', 'KeyT', true), false)).toBeNull();
  });

  it('moves to the next and previous conversation, staying at the ends', () => {
    const ids = [12, 7, 30];
    expect(neighbourOf(ids, 7, 1)).toBe(30);
    expect(neighbourOf(ids, 7, -1)).toBe(12);
    expect(neighbourOf(ids, 30, 1)).toBe(30);
    expect(neighbourOf(ids, 12, -1)).toBe(12);
    expect(neighbourOf(ids, null, 1)).toBe(12);
    expect(neighbourOf(ids, 99, -1)).toBe(30);
    expect(neighbourOf([], 7, 1)).toBeNull();
  });

  it('knows which elements take typed characters', () => {
    const input = (type: string) => ({ tagName: 'INPUT', type });
    expect(isTypingTarget({ tagName: 'TEXTAREA' })).toBe(true);
    expect(isTypingTarget(input('text'))).toBe(true);
    expect(isTypingTarget(input('search'))).toBe(true);
    expect(isTypingTarget(input('checkbox'))).toBe(false);
    expect(isTypingTarget({ tagName: 'BUTTON', type: 'button' })).toBe(false);
    expect(isTypingTarget({ tagName: 'DIV', isContentEditable: true })).toBe(true);
    expect(isTypingTarget(null)).toBe(false);
  });

  it('describes every shortcut in English and French', () => {
    for (const language of ['en', 'fr'] as const)
      for (const shortcut of SHORTCUTS) expect(SHORTCUT_WORDS[language].actions[shortcut.id]).toMatch(/\S/);
    expect(new Set(SHORTCUTS.map((shortcut) => shortcut.id)).size).toBe(SHORTCUTS.length);
  });
});
