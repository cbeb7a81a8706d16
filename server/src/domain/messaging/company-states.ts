// A partner's company's verification states, as data: which state may follow which, and the platform's decisions
// (verify, reject, suspend, reinstate) as the transitions they make.
import type { MessagingCompanyState } from '../../db/schema.js';
import { stateMachine } from './state-machine.js';

export const COMPANY_STATES = ['pending_verification', 'verified', 'rejected', 'suspended'] as const;

/** Every allowed change. A rejected company stays rejected: the partner submits a corrected one as a new company. */
export const COMPANY_TRANSITIONS: Readonly<Record<MessagingCompanyState, readonly MessagingCompanyState[]>> = {
  pending_verification: ['verified', 'rejected'],
  verified: ['suspended'],
  suspended: ['verified'],
  rejected: [],
};

/** The platform's decisions (`POST /client/company/{id}/{decision}`) and the state each leads to. */
export const COMPANY_DECISIONS = {
  verify: 'verified',
  reject: 'rejected',
  suspend: 'suspended',
  reinstate: 'verified',
} as const satisfies Record<string, MessagingCompanyState>;
export type CompanyDecision = keyof typeof COMPANY_DECISIONS;

/** Decisions that must say why (the reason goes to the partner's callback). */
export const COMPANY_REASON_REQUIRED: ReadonlySet<CompanyDecision> = new Set(['reject', 'suspend']);

const companyMachine = stateMachine('company', COMPANY_TRANSITIONS);
export const companyCanBecome = companyMachine.canBecome;
export const assertCompanyTransition = companyMachine.assert;
