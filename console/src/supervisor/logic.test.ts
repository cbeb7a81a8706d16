import { describe, expect, it } from 'vitest';
import {
  apiDateMillis,
  applyFilter,
  candidatesFor,
  channelState,
  clockOffset,
  clockStart,
  formatDuration,
  type SupervisedConversation,
  type SupervisedOperator,
  secondsSince,
  supervisionQuery,
} from './logic';

const live = (taken: number, max: number, available: boolean, enabled = true) => ({
  enabled,
  slot_number: taken,
  slot_max_number: max,
  busy: taken >= max,
  available,
});

function operator(id: number, name: string, extra: Partial<SupervisedOperator> = {}): SupervisedOperator {
  return {
    id,
    name,
    roles: ['operator'],
    connected: true,
    website_list: [1],
    chat: live(0, 3, true),
    call: live(0, 1, false),
    video: live(0, 1, false, false),
    ...extra,
  };
}

function conversation(id: number, extra: Partial<SupervisedConversation> = {}): SupervisedConversation {
  return {
    id,
    website_id: 1,
    website: 'Shop',
    channel: 'chat',
    source: 'web',
    status: 'waiting',
    visitor: { id: 9, name: null, email: null },
    operator_id: null,
    operator_name: null,
    created_at: '2026-12-05 10:00:00',
    waiting_since: '2026-12-05 10:00:00',
    assigned_at: null,
    queue_position: 1,
    estimated_wait_seconds: 60,
    last_message: null,
    ...extra,
  };
}

describe('durations on the server clock', () => {
  it('reads API dates as UTC and refuses other text', () => {
    expect(apiDateMillis('2026-12-05 10:00:07')).toBe(Date.UTC(2026, 11, 5, 10, 0, 7));
    expect(apiDateMillis('2026-12-05T10:00:07Z')).toBeNaN();
  });

  it('counts a wait from the server time, whatever the browser clock says', () => {
    // The browser is 90 s ahead of the server.
    const received = Date.UTC(2026, 11, 5, 10, 1, 30) + 90_000;
    const offset = clockOffset('2026-12-05 10:01:30', received);
    expect(offset).toBe(90_000);
    expect(secondsSince('2026-12-05 10:00:00', received, offset)).toBe(90);
    expect(secondsSince('2026-12-05 10:00:00', received + 5_000, offset)).toBe(95);
    // A start after the server's now (clock drift) shows 0, never a negative time.
    expect(secondsSince('2026-12-05 10:05:00', received, offset)).toBe(0);
  });

  it('prints a running clock', () => {
    expect(formatDuration(7)).toBe('0:07');
    expect(formatDuration(750)).toBe('12:30');
    expect(formatDuration(3723)).toBe('1:02:03');
  });

  it('starts the clock at the wait for a waiting one, at the assignment for an open one', () => {
    expect(clockStart(conversation(1))).toBe('2026-12-05 10:00:00');
    expect(
      clockStart(
        conversation(2, { status: 'open', waiting_since: null, assigned_at: '2026-12-05 10:03:00', operator_id: 4 }),
      ),
    ).toBe('2026-12-05 10:03:00');
  });
});

describe('filters', () => {
  it('writes the query and keeps the matching rows', () => {
    expect(supervisionQuery({ websiteId: null, status: null })).toBe('');
    expect(supervisionQuery({ websiteId: 3, status: 'waiting' })).toBe('?website_id=3&status=waiting');
    const rows = [conversation(1), conversation(2, { status: 'open', website_id: 2 })];
    expect(applyFilter(rows, { websiteId: null, status: 'open' }).map((row) => row.id)).toEqual([2]);
    expect(applyFilter(rows, { websiteId: 1, status: null }).map((row) => row.id)).toEqual([1]);
  });
});

describe('whom a conversation may be given to', () => {
  it('tells offline, unavailable, available and full apart', () => {
    expect(channelState(operator(1, 'A', { connected: false }), 'chat')).toBe('offline');
    expect(channelState(operator(1, 'A', { chat: live(0, 3, false) }), 'chat')).toBe('unavailable');
    expect(channelState(operator(1, 'A'), 'chat')).toBe('available');
    expect(channelState(operator(1, 'A', { chat: live(3, 3, true) }), 'chat')).toBe('full');
  });

  it('lists operators of the website but its own, eligible and least loaded first', () => {
    const team = [
      operator(1, 'Current'),
      operator(2, 'Busy', { chat: live(3, 3, true) }),
      operator(3, 'Free', { chat: live(1, 3, true) }),
      operator(4, 'Idle', { chat: live(0, 3, true) }),
      operator(5, 'Away', { connected: false }),
      operator(6, 'Elsewhere', { website_list: [2] }),
      operator(7, 'No chat', { chat: live(0, 3, false, false) }),
    ];
    const candidates = candidatesFor(conversation(1, { operator_id: 1, status: 'open' }), team);
    expect(candidates.map((candidate) => candidate.operator.name)).toEqual(['Idle', 'Free', 'Busy', 'No chat', 'Away']);
    expect(candidates.filter((candidate) => !candidate.eligible).map((candidate) => candidate.operator.id)).toEqual([
      7, 5,
    ]);
  });
});
