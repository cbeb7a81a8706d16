// What survives a page change: the vuid and the conversation to resume, per website; finished ones are not resumed.
import { describe, expect, it } from 'vitest';
import { ChatState } from './state';
import { type KeyValueStore, restore, WidgetStorage } from './storage';

function memory(): KeyValueStore & { data: Map<string, string> } {
  const data = new Map<string, string>();
  return {
    data,
    getItem: (key) => data.get(key) ?? null,
    setItem: (key, value) => void data.set(key, value),
    removeItem: (key) => void data.delete(key),
  };
}

describe('WidgetStorage', () => {
  it('saves and restores a conversation with its last seq, per website', () => {
    const store = memory();
    const state = new ChatState();
    state.receive({
      type: 'started',
      conversation_id: 41,
      outcome: 'assigned',
      conversation: { id: 41, status: 'open', operator: { id: 7, name: 'Ada' }, outcome: 'answered', last_seq: 1 },
    });
    state.receive({ type: 'entry', conversation_id: 41, seq: 3, kind: 'operator', text: 'Hi', operator_id: 7, at: '' });
    new WidgetStorage(store, 12).saveConversation(state, '41 https://shop.example/');
    expect(new WidgetStorage(store, 13).conversation()).toBeNull();
    const saved = new WidgetStorage(store, 12).conversation();
    expect(saved).toMatchObject({
      conversationId: 41,
      lastSeq: 3,
      phase: 'chatting',
      operatorName: 'Ada',
      navigated: '41 https://shop.example/',
    });
    const again = new ChatState();
    if (saved === null) throw new Error('nothing saved');
    restore(again, saved);
    expect(again.entries.map((entry) => entry.text)).toEqual(['Hi']);
    expect(again.lastSeq).toBe(3);
  });

  it('does not resume a finished conversation, survives garbage, and works without storage', () => {
    const store = memory();
    store.setItem(
      'causerie:12:conversation',
      JSON.stringify({ conversationId: 41, lastSeq: 3, phase: 'ended', entries: [] }),
    );
    expect(new WidgetStorage(store, 12).conversation()).toBeNull();
    store.setItem('causerie:12:conversation', '{not json');
    expect(new WidgetStorage(store, 12).conversation()).toBeNull();
    const refusing: KeyValueStore = {
      getItem: () => {
        throw new Error('SecurityError');
      },
      setItem: () => {
        throw new Error('QuotaExceededError');
      },
      removeItem: () => undefined,
    };
    const storage = new WidgetStorage(refusing, 12);
    expect(storage.vuid()).toBeNull();
    expect(() => storage.saveVuid('v1')).not.toThrow();
    expect(new WidgetStorage(null, 12).vuid()).toBeNull();
  });
});
