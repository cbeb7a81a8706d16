// The visitor's conversation as the widget knows it: a pure state machine fed with server frames (no DOM, no socket).

import { type ProductCard, readProduct } from './product';

/** A server frame: a JSON object with a `type` (docs/REALTIME.md, "Server → visitor"). */
export interface ServerFrame {
  type: string;
  [field: string]: unknown;
}

export type EntryKind = 'visitor' | 'operator' | 'system' | 'navigation';

/** One history entry, as shown. */
export interface Entry {
  seq: number;
  kind: EntryKind;
  text: string;
  at: string;
  operatorId: number | null;
  clientMessageId: string | null;
  event: string | null;
  /** A product card an operator sent from an installed app (`data.product`). */
  product?: ProductCard | null;
}

/** A message the visitor sent that the server has not echoed back yet (shown at once, confirmed by its entry). */
export interface Pending {
  clientMessageId: string;
  text: string;
  /** It starts the conversation (sent as `start`). */
  starts: boolean;
  failed: boolean;
}

/**
 * idle: no conversation (the composer starts one) · waiting: queued · chatting: an operator has it ·
 * offline: nobody was available (the offline form) · offline_sent: the form was sent ·
 * survey: closed after an answer, survey not answered yet · ended: closed, nothing left to do.
 */
export type Phase = 'idle' | 'waiting' | 'chatting' | 'offline' | 'offline_sent' | 'survey' | 'ended';

/** What a frame changed that the outside world (events, announcements, storage) cares about. */
export type Change =
  | { kind: 'message'; entry: Entry }
  | { kind: 'started'; conversationId: number; outcome: string }
  | { kind: 'closed'; conversationId: number; outcome: string | null }
  | { kind: 'operator'; name: string; transferred: boolean }
  | { kind: 'error'; code: string; message: string; field: string | null }
  | { kind: 'vuid'; vuid: string };

const KINDS: readonly EntryKind[] = ['visitor', 'operator', 'system', 'navigation'];

function text(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

function count(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : 0;
}

function record(value: unknown): Record<string, unknown> | null {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : null;
}

/** Reads an `entry` frame; undefined when it is not one the visitor should see. */
export function readEntry(frame: ServerFrame): Entry | undefined {
  const kind = KINDS.find((candidate) => candidate === frame.kind);
  if (kind === undefined || typeof frame.seq !== 'number') return undefined;
  const data = record(frame.data);
  return {
    seq: frame.seq,
    kind,
    text: text(frame.text),
    at: text(frame.at),
    operatorId: typeof frame.operator_id === 'number' ? frame.operator_id : null,
    clientMessageId: typeof frame.client_message_id === 'string' ? frame.client_message_id : null,
    event: data !== null && typeof data.event === 'string' ? data.event : null,
    ...(kind === 'operator' && data !== null && data.product !== undefined && { product: readProduct(data.product) }),
  };
}

/** The visitor's conversation, updated frame by frame. */
export class ChatState {
  phase: Phase = 'idle';
  vuid: string | null = null;
  conversationId: number | null = null;
  outcome: string | null = null;
  operatorName: string | null = null;
  /** Entries in seq order, each once. */
  entries: Entry[] = [];
  pending: Pending[] = [];
  lastSeq = 0;
  operatorTyping = false;
  /** The operator read the visitor's messages up to this seq. */
  operatorReadSeq = 0;
  queue: { position: number; estimatedWaitSeconds: number } | null = null;
  /** Conversations whose survey was answered or skipped. */
  readonly surveyed = new Set<number>();

  /** Applies one server frame and says what changed. */
  receive(frame: ServerFrame): Change[] {
    switch (frame.type) {
      case 'welcome':
        return this.welcome(frame);
      case 'vuid':
        // The HTTP fallback's answer to a first message: the visitor's id, nothing else.
        return this.welcome({ type: 'welcome', vuid: frame.vuid });
      case 'started':
        return this.started(frame);
      case 'entry':
        return this.entry(frame);
      case 'conversation':
        return this.conversation(record(frame.conversation));
      case 'queue':
        if (frame.conversation_id === this.conversationId)
          this.queue = { position: count(frame.position), estimatedWaitSeconds: count(frame.estimated_wait_seconds) };
        return [];
      case 'typing':
        if (frame.conversation_id === this.conversationId) this.operatorTyping = frame.on === true;
        return [];
      case 'read':
        if (frame.conversation_id === this.conversationId && frame.by === 'operator')
          this.operatorReadSeq = Math.max(this.operatorReadSeq, count(frame.seq));
        return [];
      case 'closed':
        return frame.conversation_id === this.conversationId
          ? this.close(typeof frame.outcome === 'string' ? frame.outcome : null)
          : [];
      case 'satisfaction_recorded':
        if (typeof frame.conversation_id === 'number') this.surveyed.add(frame.conversation_id);
        if (this.phase === 'survey') this.phase = 'ended';
        return [];
      case 'error':
        return this.error(frame);
      default:
        return [];
    }
  }

  /** A message typed by the visitor: shown at once as pending; `starts` when it opens the conversation. */
  queueMessage(clientMessageId: string, messageText: string): Pending {
    if (this.phase === 'ended' || this.phase === 'offline_sent') this.reset();
    // Only one message starts a conversation; the ones typed before `started` arrives wait for it.
    const starts = this.conversationId === null && !this.pending.some((pending) => pending.starts);
    const pending: Pending = { clientMessageId, text: messageText, starts, failed: false };
    this.pending.push(pending);
    return pending;
  }

  /** The offline form was sent (as a new message left). */
  offlineSent(): void {
    this.phase = 'offline_sent';
  }

  /** The visitor skipped the survey. */
  skipSurvey(): void {
    if (this.conversationId !== null) this.surveyed.add(this.conversationId);
    this.phase = 'ended';
  }

  /** Forgets the ended conversation so the composer starts a new one. */
  reset(): void {
    this.phase = 'idle';
    this.conversationId = null;
    this.outcome = null;
    this.operatorName = null;
    this.entries = [];
    this.pending = [];
    this.lastSeq = 0;
    this.operatorTyping = false;
    this.operatorReadSeq = 0;
    this.queue = null;
  }

  /** The highest seq of an entry the visitor did not write: what `read` reports. */
  lastIncomingSeq(): number {
    for (let index = this.entries.length - 1; index >= 0; index -= 1) {
      const entry = this.entries[index];
      if (entry !== undefined && entry.kind !== 'visitor' && entry.kind !== 'navigation') return entry.seq;
    }
    return 0;
  }

  /** Whether the visitor may type (no offline form, survey or finished conversation in the way). */
  canType(): boolean {
    return this.phase === 'idle' || this.phase === 'waiting' || this.phase === 'chatting';
  }

  private welcome(frame: ServerFrame): Change[] {
    const changes: Change[] = [];
    if (typeof frame.vuid === 'string' && frame.vuid !== this.vuid) {
      this.vuid = frame.vuid;
      changes.push({ kind: 'vuid', vuid: frame.vuid });
    }
    if (!('conversation' in frame)) return changes;
    const view = record(frame.conversation);
    if (view === null) {
      // The conversation we knew is gone (closed while away and not resumed): keep a finished one on screen.
      if (this.phase === 'waiting' || this.phase === 'chatting') this.phase = 'ended';
      return changes;
    }
    return [...changes, ...this.conversation(view)];
  }

  private started(frame: ServerFrame): Change[] {
    if (typeof frame.conversation_id !== 'number') return [];
    if (frame.conversation_id !== this.conversationId) {
      this.entries = [];
      this.lastSeq = 0;
      this.operatorReadSeq = 0;
    }
    this.conversationId = frame.conversation_id;
    const outcome = text(frame.outcome);
    this.outcome = null;
    if (outcome === 'queued')
      this.queue = { position: count(frame.position), estimatedWaitSeconds: count(frame.estimated_wait_seconds) };
    const view = record(frame.conversation);
    if (view !== null) this.conversation(view);
    // Routing's outcome wins over the view for a conversation just started (a missed one is closed at once).
    if (outcome === 'offline') this.phase = this.phase === 'offline_sent' ? 'offline_sent' : 'offline';
    else if (outcome === 'queued') this.phase = 'waiting';
    else if (outcome === 'assigned') this.phase = 'chatting';
    return frame.duplicate === true ? [] : [{ kind: 'started', conversationId: frame.conversation_id, outcome }];
  }

  private entry(frame: ServerFrame): Change[] {
    if (frame.conversation_id !== this.conversationId) return [];
    const entry = readEntry(frame);
    if (entry === undefined || this.entries.some((known) => known.seq === entry.seq)) return [];
    this.lastSeq = Math.max(this.lastSeq, entry.seq);
    if (entry.clientMessageId !== null)
      this.pending = this.pending.filter((pending) => pending.clientMessageId !== entry.clientMessageId);
    const at = this.entries.findIndex((known) => known.seq > entry.seq);
    if (at < 0) this.entries.push(entry);
    else this.entries.splice(at, 0, entry);
    if (entry.kind === 'operator') this.operatorTyping = false;
    return entry.kind === 'operator' || entry.kind === 'visitor' ? [{ kind: 'message', entry }] : [];
  }

  private conversation(view: Record<string, unknown> | null): Change[] {
    if (view === null || typeof view.id !== 'number') return [];
    if (this.conversationId !== null && view.id !== this.conversationId) {
      this.entries = [];
      this.lastSeq = 0;
    }
    this.conversationId = view.id;
    const changes: Change[] = [];
    const operator = record(view.operator);
    const name = operator !== null && typeof operator.name === 'string' ? operator.name : null;
    if (name !== null && name !== this.operatorName) {
      changes.push({ kind: 'operator', name, transferred: this.operatorName !== null });
      this.operatorName = name;
    }
    const status = text(view.status);
    if (status === 'waiting') {
      this.phase = 'waiting';
    } else if (status === 'open') {
      this.phase = 'chatting';
      this.queue = null;
    } else if (status === 'closed') {
      changes.push(...this.close(typeof view.outcome === 'string' ? view.outcome : null));
    }
    return changes;
  }

  private close(outcome: string | null): Change[] {
    const id = this.conversationId;
    if (id === null) return [];
    const already =
      this.phase === 'survey' || this.phase === 'ended' || this.phase === 'offline' || this.phase === 'offline_sent';
    this.outcome = outcome;
    this.queue = null;
    this.operatorTyping = false;
    if (!already) {
      // A survey only makes sense when someone answered; a missed conversation offers the offline form instead.
      if (outcome === 'missed_offline' || outcome === 'missed_busy') this.phase = 'offline';
      else if (outcome === 'answered' && !this.surveyed.has(id)) this.phase = 'survey';
      else this.phase = 'ended';
    }
    return already ? [] : [{ kind: 'closed', conversationId: id, outcome }];
  }

  private error(frame: ServerFrame): Change[] {
    const code = text(frame.code);
    // A message refused for good (closed conversation, invalid text) is marked failed rather than retried forever.
    if (typeof frame.ref === 'string') {
      const pending = this.pending.find((candidate) => candidate.clientMessageId === frame.ref);
      if (pending !== undefined && code !== 'rate_limited' && code !== 'internal') pending.failed = true;
    }
    return [
      {
        kind: 'error',
        code,
        message: text(frame.message),
        field: typeof frame.field === 'string' ? frame.field : null,
      },
    ];
  }
}
