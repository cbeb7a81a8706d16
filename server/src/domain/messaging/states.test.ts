// The environment, carrier and tester state machines, transition by transition: every listed transition is allowed,
// every other one refused, and the carriers decide the environment's state (active on the first launch).
import { describe, expect, it } from 'vitest';
import type { MessagingAgentState, MessagingCarrierState } from '../../db/schema.js';
import {
  AGENT_STATES,
  AGENT_TRANSITIONS,
  assertAgentTransition,
  CARRIER_STATES,
  CARRIER_TRANSITIONS,
  carrierCanBecome,
  carrierStateOf,
  environmentStateAfter,
} from './agent-states.js';
import { InvalidTransition } from './state-machine.js';
import { assertTesterTransition, TESTER_STATES, TESTER_TRANSITIONS, testerStateOf } from './tester-states.js';

describe('environment states', () => {
  for (const from of AGENT_STATES)
    for (const to of AGENT_STATES)
      it(`${from} → ${to}: ${AGENT_TRANSITIONS[from].includes(to) ? 'allowed' : 'refused'}`, () => {
        if (AGENT_TRANSITIONS[from].includes(to)) expect(() => assertAgentTransition(from, to)).not.toThrow();
        else expect(() => assertAgentTransition(from, to)).toThrow(InvalidTransition);
      });

  const cases: Array<[MessagingAgentState, MessagingCarrierState[], MessagingAgentState]> = [
    ['pending_verification', ['pending', 'pending'], 'pending_verification'],
    ['pending_verification', ['launched', 'pending'], 'active'],
    ['pending_verification', ['rejected', 'pending'], 'pending_verification'],
    ['pending_verification', ['rejected', 'rejected'], 'rejected'],
    ['active', ['launched', 'rejected'], 'active'],
    ['active', ['suspended', 'rejected'], 'suspended'],
    ['suspended', ['launched', 'rejected'], 'active'],
    ['rejected', ['launched', 'rejected'], 'active'],
    ['deleted', ['launched'], 'deleted'],
  ];
  for (const [current, carriers, expected] of cases)
    it(`${current} with carriers ${carriers.join(', ')} is ${expected}`, () => {
      const next = environmentStateAfter(current, carriers);
      expect(next).toBe(expected);
      if (next !== current) expect(AGENT_TRANSITIONS[current]).toContain(next);
    });
});

describe('carrier states', () => {
  for (const from of CARRIER_STATES)
    for (const to of CARRIER_STATES)
      if (from !== to)
        it(`${from} → ${to}: ${CARRIER_TRANSITIONS[from].includes(to) ? 'allowed' : 'refused'}`, () => {
          expect(carrierCanBecome(from, to)).toBe(CARRIER_TRANSITIONS[from].includes(to));
        });
  it("reads Google's launch states", () => {
    expect(carrierStateOf('LAUNCH_STATE_LAUNCHED')).toBe('launched');
    expect(carrierStateOf('LAUNCH_STATE_REJECTED')).toBe('rejected');
    expect(carrierStateOf('LAUNCH_STATE_SUSPENDED')).toBe('suspended');
    expect(carrierStateOf('LAUNCH_STATE_PENDING')).toBe('pending');
    expect(carrierStateOf('LAUNCH_STATE_PENDING_UNLAUNCH')).toBeUndefined();
  });
});

describe('tester states', () => {
  for (const from of TESTER_STATES)
    for (const to of TESTER_STATES)
      it(`${from} → ${to}: ${TESTER_TRANSITIONS[from].includes(to) ? 'allowed' : 'refused'}`, () => {
        if (TESTER_TRANSITIONS[from].includes(to)) expect(() => assertTesterTransition(from, to)).not.toThrow();
        else expect(() => assertTesterTransition(from, to)).toThrow(InvalidTransition);
      });
  it("reads Google's invite status", () => {
    expect(testerStateOf('ACCEPTED')).toBe('accepted');
    expect(testerStateOf('DECLINED')).toBe('declined');
    expect(testerStateOf('PENDING')).toBeUndefined();
  });
});
