// An account's states (a Causerie client made by a partner), as data: verification, activation by its owner,
// suspension and closing. Only `active` lets the account's keys and operators in (http/auth.ts).
import type { MessagingAccountState } from '../../db/schema.js';
import { ApiError } from '../../errors.js';
import { stateMachine } from './state-machine.js';

export const ACCOUNT_STATES = [
  'pending_verification',
  'pending_activation',
  'active',
  'suspended',
  'rejected',
  'closed',
] as const;

/** Every allowed change. Verification leads to `pending_activation` when the owner must activate, else `active`. */
export const ACCOUNT_TRANSITIONS: Readonly<Record<MessagingAccountState, readonly MessagingAccountState[]>> = {
  pending_verification: ['pending_activation', 'active', 'rejected', 'closed'],
  // The owner opened the activation link and set a password.
  pending_activation: ['active', 'closed'],
  active: ['suspended', 'closed'],
  suspended: ['active', 'closed'],
  rejected: ['closed'],
  closed: [],
};

/** Decisions on an account (`POST /system/account/{id}/{decision}`) and who may take them. */
export const ACCOUNT_DECISIONS = {
  verify: { scopes: ['platform'] },
  reject: { scopes: ['platform'] },
  suspend: { scopes: ['platform', 'partner'] },
  reinstate: { scopes: ['platform', 'partner'] },
  close: { scopes: ['platform', 'partner'] },
} as const satisfies Record<string, { scopes: readonly ('platform' | 'partner')[] }>;
export type AccountDecision = keyof typeof ACCOUNT_DECISIONS;

/** The state a decision leads to; verification depends on whether the owner must activate the account. */
export function accountStateAfter(decision: AccountDecision, activationRequired: boolean): MessagingAccountState {
  switch (decision) {
    case 'verify':
      return activationRequired ? 'pending_activation' : 'active';
    case 'reject':
      return 'rejected';
    case 'suspend':
      return 'suspended';
    case 'reinstate':
      return 'active';
    case 'close':
      return 'closed';
  }
}

const accountMachine = stateMachine('account', ACCOUNT_TRANSITIONS);
export const accountCanBecome = accountMachine.canBecome;
export const assertAccountTransition = accountMachine.assert;

/** The 403 of a key or login of an account that is not active, naming its state. */
export function accountNotActive(state: string): ApiError {
  return new ApiError(
    'account_not_active',
    403,
    `This account is not active (its state is '${state}'): its keys and logins work once it is active.`,
    'error',
  );
}
