// The state machine of an RCS tester, as data: invited, then accepted, declined, expired (the invitation lapsed) or
// unreachable (the device cannot take RCS); any of them may be deleted.
import type { MessagingTesterState } from '../../db/schema.js';
import { stateMachine } from './state-machine.js';

export const TESTER_STATES = ['invite_pending', 'accepted', 'declined', 'expired', 'unreachable', 'deleted'] as const;

export const TESTER_TRANSITIONS: Readonly<Record<MessagingTesterState, readonly MessagingTesterState[]>> = {
  invite_pending: ['accepted', 'declined', 'expired', 'unreachable', 'deleted'],
  accepted: ['deleted'],
  declined: ['deleted'],
  expired: ['deleted'],
  unreachable: ['deleted'],
  deleted: [],
};

const testerMachine = stateMachine('tester', TESTER_TRANSITIONS);
export const testerCanBecome = testerMachine.canBecome;
export const assertTesterTransition = testerMachine.assert;

/** Google's inviteStatus → the tester's state; undefined while the user has not answered. */
export function testerStateOf(inviteStatus: string): 'accepted' | 'declined' | undefined {
  if (inviteStatus === 'ACCEPTED') return 'accepted';
  if (inviteStatus === 'DECLINED') return 'declined';
  return undefined;
}
