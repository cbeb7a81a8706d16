// The routing rules as pure functions: eligibility, ordering by strategy, queue positions and wait estimates.
import { describe, expect, it } from 'vitest';
import {
  chooseOperator,
  estimateWaitSeconds,
  noteAssignment,
  type OperatorState,
  queuePositions,
} from './algorithm.js';

function operator(
  id: number,
  chat: { priority?: number; load?: number; capacity?: number; ready?: boolean } = {},
  extra: Partial<OperatorState> = {},
): OperatorState {
  const idle = { ready: false, priority: 0, load: 0, capacity: 1 };
  return {
    id,
    groupId: null,
    lastAssignedAt: null,
    skills: new Set(),
    channels: { chat: { ready: true, priority: 0, load: 0, capacity: 2, ...chat }, call: idle, video: idle },
    assignedInRun: 0,
    ...extra,
  };
}

const chat = { channel: 'chat' as const, skillId: null };

describe('chooseOperator', () => {
  it('prefers priority 10 over a less loaded operator with priority 0, on both strategies', () => {
    const operators = [operator(1, { load: 0 }), operator(2, { priority: 10, load: 1 })];
    expect(chooseOperator(operators, chat, 'least_loaded')?.id).toBe(2);
    expect(chooseOperator(operators, chat, 'round_robin')?.id).toBe(2);
  });

  it('least loaded: fewest conversations, then longest idle (never assigned first), then lowest id', () => {
    expect(chooseOperator([operator(1, { load: 1 }), operator(2, { load: 0 })], chat, 'least_loaded')?.id).toBe(2);
    const recent = operator(1, {}, { lastAssignedAt: '2026-11-21T10:05:00.000Z' });
    const older = operator(2, {}, { lastAssignedAt: '2026-11-21T10:00:00.000Z' });
    expect(chooseOperator([recent, older], chat, 'least_loaded')?.id).toBe(2);
    expect(chooseOperator([recent, older, operator(3)], chat, 'least_loaded')?.id).toBe(3);
    expect(chooseOperator([operator(5), operator(4)], chat, 'least_loaded')?.id).toBe(4);
  });

  it('round robin ignores the load: oldest last assignment first', () => {
    const busyButIdle = operator(1, { load: 1 }, { lastAssignedAt: '2026-11-21T09:00:00.000Z' });
    const freeButRecent = operator(2, { load: 0 }, { lastAssignedAt: '2026-11-21T10:00:00.000Z' });
    expect(chooseOperator([busyButIdle, freeButRecent], chat, 'round_robin')?.id).toBe(1);
    expect(chooseOperator([busyButIdle, freeButRecent], chat, 'least_loaded')?.id).toBe(2);
  });

  it('takes turns within one pass even when the clock gives the same instant twice', () => {
    const operators = [operator(1, { capacity: 5 }), operator(2, { capacity: 5 }), operator(3, { capacity: 5 })];
    const chosen: number[] = [];
    for (let run = 1; run <= 6; run += 1) {
      const next = chooseOperator(operators, chat, 'round_robin');
      if (!next) throw new Error('nobody chosen');
      chosen.push(next.id);
      noteAssignment(next, 'chat', '2026-11-21T10:00:00.000Z', run);
    }
    expect(chosen).toEqual([1, 2, 3, 1, 2, 3]);
  });

  it('admits only ready operators with a free slot, the skill asked for, and not the excluded one', () => {
    expect(chooseOperator([operator(1, { load: 2, capacity: 2 })], chat, 'least_loaded')).toBeUndefined();
    expect(chooseOperator([operator(1, { ready: false })], chat, 'least_loaded')).toBeUndefined();
    const skilled = operator(2, { load: 1 }, { skills: new Set([7]) });
    expect(chooseOperator([operator(1), skilled], { channel: 'chat', skillId: 7 }, 'least_loaded')?.id).toBe(2);
    expect(chooseOperator([operator(1), skilled], { channel: 'chat', skillId: 8 }, 'least_loaded')).toBeUndefined();
    expect(chooseOperator([operator(1), operator(2)], { ...chat, excludeOperatorId: 1 }, 'least_loaded')?.id).toBe(2);
  });
});

describe('queuePositions', () => {
  it('counts, per channel, the earlier conversations without skill or with the same skill', () => {
    const at = (minute: number) => `2026-11-21T10:0${minute}:00.000Z`;
    const positions = queuePositions([
      { id: 14, channel: 'chat', skillId: 7, queuedAt: at(4) },
      { id: 10, channel: 'chat', skillId: null, queuedAt: at(0) },
      { id: 11, channel: 'chat', skillId: 7, queuedAt: at(1) },
      { id: 12, channel: 'chat', skillId: 8, queuedAt: at(2) },
      { id: 13, channel: 'chat', skillId: null, queuedAt: at(3) },
      { id: 15, channel: 'call', skillId: null, queuedAt: at(0) },
      { id: 9, channel: 'chat', skillId: null, queuedAt: at(3) },
    ]);
    expect(Object.fromEntries(positions)).toEqual({ 10: 1, 11: 2, 12: 2, 9: 2, 13: 3, 14: 5, 15: 1 });
  });
});

describe('estimateWaitSeconds', () => {
  it('is position × mean wait ÷ eligible operators (at least one), 60 s of mean wait without history', () => {
    expect(estimateWaitSeconds(1, null, 0)).toBe(60);
    expect(estimateWaitSeconds(3, null, 2)).toBe(90);
    expect(estimateWaitSeconds(2, 45_500, 1)).toBe(91);
    expect(estimateWaitSeconds(1, 1, 3)).toBe(1);
  });
});
