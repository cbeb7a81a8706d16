// What survives a page change, in the iframe origin's localStorage: the vuid, and the conversation to resume from.
import type { ChatState, Entry, Phase } from './state';

/** The saved conversation: enough to show it at once on the next page and resume the socket after `lastSeq`. */
export interface SavedConversation {
  conversationId: number;
  lastSeq: number;
  phase: Phase;
  operatorName: string | null;
  entries: Entry[];
  surveyed: number[];
  /** The last page URL sent as a navigation entry. */
  navigated: string | null;
}

/** Entries kept for the next page; older ones come back from the server only on a full resume. */
const KEPT_ENTRIES = 100;

/** Storage that may be missing or refuse (blocked third-party storage): the widget then simply forgets. */
export interface KeyValueStore {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

export class WidgetStorage {
  constructor(
    private readonly store: KeyValueStore | null,
    private readonly websiteId: number,
  ) {}

  private get(key: string): string | null {
    try {
      return this.store?.getItem(`causerie:${this.websiteId}:${key}`) ?? null;
    } catch {
      return null;
    }
  }

  private set(key: string, value: string | null): void {
    try {
      if (value === null) this.store?.removeItem(`causerie:${this.websiteId}:${key}`);
      else this.store?.setItem(`causerie:${this.websiteId}:${key}`, value);
    } catch {
      // Full or blocked: the conversation still works, it just will not survive a page change.
    }
  }

  vuid(): string | null {
    return this.get('vuid');
  }

  saveVuid(vuid: string): void {
    this.set('vuid', vuid);
  }

  /** The saved conversation, unless it is missing, malformed or already finished. */
  conversation(): SavedConversation | null {
    const raw = this.get('conversation');
    if (raw === null) return null;
    try {
      const saved = JSON.parse(raw) as SavedConversation;
      if (
        typeof saved.conversationId !== 'number' ||
        typeof saved.lastSeq !== 'number' ||
        !Array.isArray(saved.entries)
      )
        return null;
      return saved.phase === 'ended' || saved.phase === 'offline_sent' ? null : saved;
    } catch {
      return null;
    }
  }

  saveConversation(state: ChatState, navigated: string | null): void {
    if (state.conversationId === null) {
      this.set('conversation', null);
      return;
    }
    const saved: SavedConversation = {
      conversationId: state.conversationId,
      lastSeq: state.lastSeq,
      phase: state.phase,
      operatorName: state.operatorName,
      entries: state.entries.slice(-KEPT_ENTRIES),
      surveyed: [...state.surveyed],
      navigated,
    };
    this.set('conversation', JSON.stringify(saved));
  }

  forgetConversation(): void {
    this.set('conversation', null);
  }
}

/** Puts a saved conversation back into a fresh state. */
export function restore(state: ChatState, saved: SavedConversation): void {
  state.conversationId = saved.conversationId;
  state.lastSeq = saved.lastSeq;
  state.phase = saved.phase;
  state.operatorName = saved.operatorName;
  state.entries = saved.entries;
  for (const id of saved.surveyed) state.surveyed.add(id);
}
