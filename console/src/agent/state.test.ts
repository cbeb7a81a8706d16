// The agent state follows the socket: snapshot, assignment, entries in seq order without duplicates, optimistic sends, reads and delivery states.
import { describe, expect, it } from 'vitest';
import type { ConversationView, Entry, ServerFrame } from '../socket';
import { type AgentState, agentReducer, initialAgentState } from './state';

const view: ConversationView = {
  id: 41,
  website_id: 12,
  status: 'open',
  operator_id: 7,
  skill_id: null,
  outcome: 'answered',
  last_seq: 2,
  visitor_read_seq: 0,
  operator_read_seq: 0,
};
const entry = (seq: number, kind: Entry['kind'], text: string, extra: Partial<Entry> = {}): Entry => ({
  conversation_id: 41,
  seq,
  kind,
  text,
  operator_id: kind === 'visitor' ? null : 7,
  at: '2026-11-21T14:25:33.012Z',
  ...extra,
});
const apply = (state: AgentState, frame: ServerFrame, selected: number | null = null) =>
  agentReducer(state, { type: 'frame', frame, selected });

describe('agentReducer', () => {
  it('takes a snapshot, then merges entries by seq whatever their order or repetition', () => {
    let state = apply(initialAgentState, {
      type: 'snapshot',
      operator: { id: 7, connected: true, chat: true, call: false, video: false },
      conversations: [
        { conversation: view, history: [entry(1, 'visitor', 'Hi'), entry(2, 'system', 'OPERATOR_CHAT_ASSIGNED')] },
      ],
      queues: [{ website_id: 12, waiting: 3 }],
    });
    expect(state.availability.chat).toBe(true);
    expect(state.queues).toEqual({ 12: 3 });
    state = apply(state, { type: 'entry', ...entry(4, 'visitor', 'Four') });
    state = apply(state, { type: 'entry', ...entry(3, 'operator', 'Three') });
    state = apply(state, { type: 'entry', ...entry(3, 'operator', 'Three') });
    expect(state.conversations[41]?.entries.map((e) => e.seq)).toEqual([1, 2, 3, 4]);
    expect(state.conversations[41]?.view.last_seq).toBe(4);
    // Entries of the visitor while another conversation is on screen count as unread.
    expect(state.conversations[41]?.unread).toBe(1);
  });

  it('replaces an optimistic entry by the acknowledged one, and keeps a failed one with its reason', () => {
    let state = apply(initialAgentState, { type: 'assigned', conversation: view, history: [] });
    expect(state.lastAssigned?.id).toBe(41);
    state = agentReducer(state, {
      type: 'pending',
      conversationId: 41,
      entry: { client_message_id: 'o-1', kind: 'operator', text: 'Hello' },
    });
    state = agentReducer(state, {
      type: 'pending',
      conversationId: 41,
      entry: { client_message_id: 'o-2', kind: 'note', text: 'Private' },
    });
    state = apply(state, { type: 'entry', ...entry(3, 'operator', 'Hello', { client_message_id: 'o-1' }) }, 41);
    state = agentReducer(state, {
      type: 'pendingFailed',
      conversationId: 41,
      clientMessageId: 'o-2',
      message: 'Not connected',
    });
    expect(state.conversations[41]?.pending).toEqual([
      { client_message_id: 'o-2', kind: 'note', text: 'Private', failed: 'Not connected' },
    ]);
    expect(state.conversations[41]?.entries.map((e) => e.text)).toEqual(['Hello']);
  });

  it('tracks typing, read positions (only forward) and delivery states', () => {
    let state = apply(initialAgentState, {
      type: 'assigned',
      conversation: view,
      history: [entry(3, 'operator', 'Sent by WhatsApp')],
    });
    state = apply(state, { type: 'typing', conversation_id: 41, on: true });
    expect(state.conversations[41]?.visitorTyping).toBe(true);
    state = apply(state, { type: 'entry', ...entry(4, 'visitor', 'ok') });
    expect(state.conversations[41]?.visitorTyping).toBe(false);
    state = apply(state, { type: 'read', conversation_id: 41, by: 'visitor', seq: 3 });
    state = apply(state, { type: 'read', conversation_id: 41, by: 'visitor', seq: 2 });
    expect(state.conversations[41]?.view.visitor_read_seq).toBe(3);
    state = apply(state, {
      type: 'delivery',
      conversation_id: 41,
      seq: 3,
      state: 'failed',
      error: { code: '131047', message: 'Re-engagement message' },
    });
    expect(state.conversations[41]?.entries[0]?.delivery).toEqual({
      state: 'failed',
      error: { code: '131047', message: 'Re-engagement message' },
    });
  });

  it('follows a transfer away and a close', () => {
    let state = apply(initialAgentState, { type: 'assigned', conversation: view, history: [] });
    state = apply(state, { type: 'unassigned', conversation_id: 41, operator_id: 9, status: 'open' });
    expect(state.conversations[41]?.view.operator_id).toBe(9);
    state = apply(state, { type: 'conversation', conversation: { ...view, status: 'closed' } });
    expect(state.conversations[41]?.view.status).toBe('closed');
  });
});
