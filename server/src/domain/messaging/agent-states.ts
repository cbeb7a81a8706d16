// The state machines of a chat environment and of each carrier it launches on, as data: which state may follow which,
// and how the carriers' states decide the environment's (active as soon as one carrier launched).
import type { MessagingAgentState, MessagingCarrierState } from '../../db/schema.js';
import { stateMachine } from './state-machine.js';

export const AGENT_STATES = ['pending_verification', 'active', 'suspended', 'rejected', 'deleted'] as const;
export const CARRIER_STATES = ['pending', 'launched', 'rejected', 'suspended'] as const;

/** Environment transitions: the carriers move it (see environmentStateAfter), its owner deletes it. */
export const AGENT_TRANSITIONS: Readonly<Record<MessagingAgentState, readonly MessagingAgentState[]>> = {
  // Submitted to the carriers: the first launch activates it; refused by every carrier (or by Google) it is rejected.
  pending_verification: ['active', 'rejected', 'deleted'],
  // Every carrier that had launched it suspended it.
  active: ['suspended', 'deleted'],
  suspended: ['active', 'deleted'],
  // A carrier may still reconsider and launch it.
  rejected: ['active', 'deleted'],
  deleted: [],
};

/** Carrier transitions, as Google reports them (LAUNCH_STATE_*). */
export const CARRIER_TRANSITIONS: Readonly<Record<MessagingCarrierState, readonly MessagingCarrierState[]>> = {
  pending: ['launched', 'rejected'],
  launched: ['suspended'],
  suspended: ['launched'],
  rejected: ['pending', 'launched'],
};

const agentMachine = stateMachine('chat environment', AGENT_TRANSITIONS);
export const canBecome = agentMachine.canBecome;
export const assertAgentTransition = agentMachine.assert;
export const carrierCanBecome = stateMachine('carrier', CARRIER_TRANSITIONS).canBecome;

/** Google's launch state of one region → the carrier's state here; undefined: no change to record (a state in between). */
export function carrierStateOf(launchState: string): MessagingCarrierState | undefined {
  switch (launchState) {
    case 'LAUNCH_STATE_LAUNCHED':
      return 'launched';
    case 'LAUNCH_STATE_REJECTED':
      return 'rejected';
    case 'LAUNCH_STATE_SUSPENDED':
      return 'suspended';
    case 'LAUNCH_STATE_PENDING':
      return 'pending';
    default:
      // UNLAUNCHED, PENDING_UNLAUNCH, UNSPECIFIED: nothing a carrier decided yet.
      return undefined;
  }
}

/**
 * The environment's state once its carriers are in these states: active when one launched; suspended when it was live
 * and none is launched any more; rejected when every carrier refused; otherwise unchanged.
 */
export function environmentStateAfter(
  current: MessagingAgentState,
  carriers: readonly MessagingCarrierState[],
): MessagingAgentState {
  if (current === 'deleted') return current;
  if (carriers.includes('launched')) return 'active';
  if (current === 'active' || current === 'suspended') return 'suspended';
  if (carriers.length > 0 && carriers.every((state) => state === 'rejected')) return 'rejected';
  return current;
}
