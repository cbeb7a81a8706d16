// The conversation state machine, frame by frame, as docs/REALTIME.md's visitor side describes the server's answers.
import { describe, expect, it } from 'vitest';
import { ChatState, type ServerFrame } from './state';

const view = (fields: Record<string, unknown>) => ({
  id: 41,
  status: 'open',
  operator: { id: 7, name: 'Ada' },
  outcome: 'answered',
  last_seq: 2,
  ...fields,
});
const entry = (seq: number, kind: string, text: string, extra: Record<string, unknown> = {}): ServerFrame => ({
  type: 'entry',
  conversation_id: 41,
  seq,
  kind,
  text,
  operator_id: kind === 'operator' ? 7 : null,
  at: '2026-11-21T14:25:33.012Z',
  ...extra,
});

function started(outcome: 'assigned' | 'queued' | 'offline'): ChatState {
  const state = new ChatState();
  state.receive({ type: 'welcome', vuid: 'v1', conversation: null, identity: null });
  state.queueMessage('c-1', 'Hello');
  const status = outcome === 'assigned' ? 'open' : outcome === 'queued' ? 'waiting' : 'closed';
  state.receive({
    type: 'started',
    conversation_id: 41,
    outcome,
    conversation: view({
      status,
      operator: outcome === 'assigned' ? { id: 7, name: 'Ada' } : null,
      outcome: outcome === 'offline' ? 'missed_offline' : outcome === 'assigned' ? 'answered' : null,
    }),
    ...(outcome === 'queued' && { position: 2, estimated_wait_seconds: 90 }),
  });
  return state;
}

describe('starting a conversation', () => {
  it('the first message starts it; messages typed before `started` wait and do not start another', () => {
    const state = new ChatState();
    expect(state.queueMessage('c-1', 'Hello').starts).toBe(true);
    expect(state.queueMessage('c-2', 'Anyone?').starts).toBe(false);
  });

  it('assigned: chatting with the operator; the pending message is confirmed by its entry', () => {
    const state = started('assigned');
    expect(state.phase).toBe('chatting');
    expect(state.operatorName).toBe('Ada');
    expect(state.pending).toHaveLength(1);
    expect(state.receive(entry(1, 'visitor', 'Hello', { client_message_id: 'c-1' }))).toEqual([
      { kind: 'message', entry: expect.objectContaining({ seq: 1, text: 'Hello' }) },
    ]);
    expect(state.pending).toEqual([]);
  });

  it('queued: waiting with the place and estimate, updated by queue frames, then chatting when assigned', () => {
    const state = started('queued');
    expect(state.phase).toBe('waiting');
    expect(state.queue).toEqual({ position: 2, estimatedWaitSeconds: 90 });
    state.receive({ type: 'queue', conversation_id: 41, position: 1, estimated_wait_seconds: 30 });
    expect(state.queue).toEqual({ position: 1, estimatedWaitSeconds: 30 });
    const changes = state.receive({ type: 'conversation', conversation: view({}) });
    expect(changes).toEqual([{ kind: 'operator', name: 'Ada', transferred: false }]);
    expect(state.phase).toBe('chatting');
    expect(state.queue).toBeNull();
  });

  it('offline: the offline form, then its thanks once sent (a second offline start keeps the thanks)', () => {
    const state = started('offline');
    expect(state.phase).toBe('offline');
    expect(state.canType()).toBe(false);
    state.offlineSent();
    state.receive({
      type: 'started',
      conversation_id: 42,
      outcome: 'offline',
      conversation: { ...view({ status: 'closed', outcome: 'missed_offline', operator: null }), id: 42 },
    });
    expect(state.phase).toBe('offline_sent');
  });

  it('a resent start answered as a duplicate reports no new conversation', () => {
    const state = started('assigned');
    expect(
      state.receive({
        type: 'started',
        conversation_id: 41,
        outcome: 'assigned',
        conversation: view({}),
        duplicate: true,
      }),
    ).toEqual([]);
  });
});

describe('entries', () => {
  it('keeps each seq once and in order, whatever order or repetition they arrive in (resume, lost publishes)', () => {
    const state = started('assigned');
    for (const seq of [3, 1, 3, 2, 5]) state.receive(entry(seq, seq % 2 === 0 ? 'visitor' : 'operator', `m${seq}`));
    expect(state.entries.map((known) => known.seq)).toEqual([1, 2, 3, 5]);
    expect(state.lastSeq).toBe(5);
    expect(state.lastIncomingSeq()).toBe(5);
  });

  it('ignores entries of other conversations and kinds the visitor must not see', () => {
    const state = started('assigned');
    expect(state.receive({ ...entry(1, 'operator', 'x'), conversation_id: 99 })).toEqual([]);
    expect(state.receive(entry(2, 'note', 'private'))).toEqual([]);
    expect(state.entries).toEqual([]);
  });

  it('an operator message ends their typing; read frames move the read mark forward only', () => {
    const state = started('assigned');
    state.receive({ type: 'typing', conversation_id: 41, on: true });
    expect(state.operatorTyping).toBe(true);
    state.receive(entry(2, 'operator', 'Hi'));
    expect(state.operatorTyping).toBe(false);
    state.receive({ type: 'read', conversation_id: 41, by: 'operator', seq: 4 });
    state.receive({ type: 'read', conversation_id: 41, by: 'operator', seq: 2 });
    expect(state.operatorReadSeq).toBe(4);
  });
});

describe('closing and the survey', () => {
  it('an answered conversation closed by the operator asks for the survey once; recording it ends', () => {
    const state = started('assigned');
    expect(state.receive({ type: 'conversation', conversation: view({ status: 'closed' }) })).toEqual([
      { kind: 'closed', conversationId: 41, outcome: 'answered' },
    ]);
    expect(state.phase).toBe('survey');
    expect(state.receive({ type: 'closed', conversation_id: 41, outcome: 'answered' })).toEqual([]);
    state.receive({ type: 'satisfaction_recorded', conversation_id: 41, satisfaction_id: 9 });
    expect(state.phase).toBe('ended');
    expect(state.surveyed.has(41)).toBe(true);
  });

  it('leaving while waiting (abandoned) needs no survey; a missed conversation shows the offline form', () => {
    const abandoned = started('queued');
    abandoned.receive({ type: 'closed', conversation_id: 41, outcome: 'abandoned' });
    expect(abandoned.phase).toBe('ended');
    const missed = started('queued');
    missed.receive({
      type: 'conversation',
      conversation: view({ status: 'closed', outcome: 'missed_offline', operator: null }),
    });
    expect(missed.phase).toBe('offline');
  });

  it('typing after the end starts a new conversation from a clean slate', () => {
    const state = started('assigned');
    state.receive(entry(1, 'visitor', 'Hello', { client_message_id: 'c-1' }));
    state.receive({ type: 'closed', conversation_id: 41, outcome: 'abandoned' });
    const next = state.queueMessage('c-9', 'One more thing');
    expect(next.starts).toBe(true);
    expect(state.entries).toEqual([]);
    expect(state.conversationId).toBeNull();
  });
});

describe('errors and welcome', () => {
  it('marks a refused message failed (its ref is its client id), but not a rate-limited one', () => {
    const state = started('assigned');
    state.queueMessage('c-2', 'x');
    state.queueMessage('c-3', 'y');
    state.receive({ type: 'error', code: 'rate_limited', message: 'slow down', ref: 'c-2' });
    state.receive({ type: 'error', code: 'conflict', message: 'Conversation 41 is closed.', ref: 'c-3' });
    expect(state.pending.map((pending) => [pending.clientMessageId, pending.failed])).toEqual([
      ['c-1', false],
      ['c-2', false],
      ['c-3', true],
    ]);
  });

  it('a welcome reports a new vuid; one without `conversation` (HTTP fallback) leaves the conversation alone', () => {
    const state = started('assigned');
    expect(state.receive({ type: 'welcome', vuid: 'v2' })).toEqual([{ kind: 'vuid', vuid: 'v2' }]);
    expect(state.receive({ type: 'vuid', vuid: 'v3' })).toEqual([{ kind: 'vuid', vuid: 'v3' }]);
    expect(state.phase).toBe('chatting');
    expect(state.phase).toBe('chatting');
    state.receive({ type: 'welcome', vuid: 'v2', conversation: null });
    expect(state.phase).toBe('ended');
  });
});
