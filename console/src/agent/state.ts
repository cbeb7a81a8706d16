// The agent view's live state, folded from operator socket frames: my conversations with their history, typing, read positions and queues.
import type { Availability, ConversationView, Delivery, Entry, ServerFrame } from '../socket';

/** An entry shown before the server acknowledged it. */
export interface PendingEntry {
  client_message_id: string;
  kind: 'operator' | 'note';
  text: string;
  failed?: string;
}

export interface LiveConversation {
  view: ConversationView;
  entries: Entry[];
  pending: PendingEntry[];
  visitorTyping: boolean;
  /** Entries that arrived while another conversation was on screen. */
  unread: number;
}

export interface AgentState {
  online: boolean;
  availability: Availability;
  conversations: Record<number, LiveConversation>;
  /** Newest first. */
  order: number[];
  queues: Record<number, number>;
  /** Bumped on each new assignment (for the sound and the notification). */
  lastAssigned: { id: number; at: number } | null;
}

export type AgentAction =
  | { type: 'frame'; frame: ServerFrame; selected: number | null }
  | { type: 'online'; online: boolean }
  | { type: 'pending'; conversationId: number; entry: PendingEntry }
  | { type: 'pendingFailed'; conversationId: number; clientMessageId: string; message: string }
  | { type: 'seen'; conversationId: number }
  | { type: 'forget'; conversationId: number };

export const initialAgentState: AgentState = {
  online: false,
  availability: { connected: false, chat: false, call: false, video: false },
  conversations: {},
  order: [],
  queues: {},
  lastAssigned: null,
};

/** Merges entries by seq (a resume or a snapshot may repeat some), oldest first. */
function mergeEntries(current: readonly Entry[], incoming: readonly Entry[]): Entry[] {
  const bySeq = new Map<number, Entry>();
  for (const entry of current) bySeq.set(entry.seq, entry);
  for (const entry of incoming) bySeq.set(entry.seq, { ...bySeq.get(entry.seq), ...entry });
  return [...bySeq.values()].sort((a, b) => a.seq - b.seq);
}

function stripFrame(frame: Entry & { type?: string }): Entry {
  const { type: _type, ...entry } = frame;
  return entry;
}

function withConversation(
  state: AgentState,
  id: number,
  change: (current: LiveConversation) => LiveConversation,
): AgentState {
  const current = state.conversations[id];
  if (!current) return state;
  return { ...state, conversations: { ...state.conversations, [id]: change(current) } };
}

function fresh(view: ConversationView, history: readonly Entry[]): LiveConversation {
  return { view, entries: mergeEntries([], history.map(stripFrame)), pending: [], visitorTyping: false, unread: 0 };
}

/** Applies one socket frame or local action. */
export function agentReducer(state: AgentState, action: AgentAction): AgentState {
  switch (action.type) {
    case 'online':
      return { ...state, online: action.online };
    case 'pending':
      return withConversation(state, action.conversationId, (c) => ({ ...c, pending: [...c.pending, action.entry] }));
    case 'pendingFailed':
      return withConversation(state, action.conversationId, (c) => ({
        ...c,
        pending: c.pending.map((p) =>
          p.client_message_id === action.clientMessageId ? { ...p, failed: action.message } : p,
        ),
      }));
    case 'seen':
      return withConversation(state, action.conversationId, (c) => ({ ...c, unread: 0 }));
    case 'forget': {
      const { [action.conversationId]: _gone, ...rest } = state.conversations;
      return { ...state, conversations: rest, order: state.order.filter((id) => id !== action.conversationId) };
    }
    case 'frame':
      return applyFrame(state, action.frame, action.selected);
  }
}

function applyFrame(state: AgentState, frame: ServerFrame, selected: number | null): AgentState {
  switch (frame.type) {
    case 'snapshot': {
      const conversations: Record<number, LiveConversation> = {};
      for (const { conversation, history } of frame.conversations) {
        const previous = state.conversations[conversation.id];
        conversations[conversation.id] = {
          ...fresh(conversation, history),
          pending: previous?.pending ?? [],
          unread: previous?.unread ?? 0,
        };
      }
      const queues: Record<number, number> = {};
      for (const queue of frame.queues) queues[queue.website_id] = queue.waiting;
      const order = frame.conversations.map((c) => c.conversation.id).sort((a, b) => b - a);
      const { connected, chat, call, video } = frame.operator;
      return { ...state, availability: { connected, chat, call, video }, conversations, order, queues };
    }
    case 'assigned': {
      const conversations = {
        ...state.conversations,
        [frame.conversation.id]: fresh(frame.conversation, frame.history),
      };
      return {
        ...state,
        conversations,
        order: [frame.conversation.id, ...state.order.filter((id) => id !== frame.conversation.id)],
        lastAssigned: { id: frame.conversation.id, at: Date.now() },
      };
    }
    case 'entry': {
      const entry = stripFrame(frame);
      return withConversation(state, entry.conversation_id, (c) => ({
        ...c,
        entries: mergeEntries(c.entries, [entry]),
        pending:
          entry.client_message_id === undefined
            ? c.pending
            : c.pending.filter((p) => p.client_message_id !== entry.client_message_id),
        view: { ...c.view, last_seq: Math.max(c.view.last_seq, entry.seq) },
        visitorTyping: entry.kind === 'visitor' ? false : c.visitorTyping,
        unread:
          selected === entry.conversation_id || entry.kind === 'operator' || entry.kind === 'note'
            ? c.unread
            : c.unread + 1,
      }));
    }
    case 'conversation':
      return withConversation(state, frame.conversation.id, (c) => ({
        ...c,
        view: { ...c.view, ...frame.conversation },
        visitorTyping: frame.conversation.status === 'closed' ? false : c.visitorTyping,
      }));
    case 'unassigned':
      return withConversation(state, frame.conversation_id, (c) => ({
        ...c,
        view: { ...c.view, operator_id: frame.operator_id, status: frame.status },
      }));
    case 'typing':
      return withConversation(state, frame.conversation_id, (c) => ({ ...c, visitorTyping: frame.on }));
    case 'read':
      return withConversation(state, frame.conversation_id, (c) => ({
        ...c,
        view:
          frame.by === 'visitor'
            ? { ...c.view, visitor_read_seq: Math.max(c.view.visitor_read_seq ?? 0, frame.seq) }
            : { ...c.view, operator_read_seq: Math.max(c.view.operator_read_seq ?? 0, frame.seq) },
      }));
    case 'queue':
      return { ...state, queues: { ...state.queues, [frame.website_id]: frame.waiting } };
    case 'delivery': {
      const delivery: Delivery = { state: frame.state, ...(frame.error !== undefined && { error: frame.error }) };
      return withConversation(state, frame.conversation_id, (c) => ({
        ...c,
        entries: c.entries.map((e) => (e.seq === frame.seq ? { ...e, delivery } : e)),
      }));
    }
    case 'availability': {
      const { connected, chat, call, video } = frame;
      return { ...state, availability: { connected, chat, call, video } };
    }
    case 'ack':
    case 'transferred':
    case 'closed':
    case 'error':
    case 'pong':
      return state;
  }
}
