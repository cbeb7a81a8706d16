// Throttles guessing: wrong passwords, sign-on keys and API keys are counted per address and per account, and once the
// free failures are spent every further attempt is refused with 429 and Retry-After for a block that doubles with each
// new failure. Only failures count, so an office behind one address can log in all morning; a success forgives the
// account's earlier typing mistakes.
import { ApiError } from '../errors.js';
import type { FailurePolicy, SharedLimits } from './shared-limits.js';

const MINUTE = 60_000;

/** One account (an email, whether or not it exists): 5 wrong passwords in 15 minutes, then 30 s, 1 min, 2 min… ≤ 1 h. */
export const ACCOUNT_POLICY: FailurePolicy = {
  free: 5,
  windowMs: 15 * MINUTE,
  firstBlockMs: 30_000,
  maxBlockMs: 60 * MINUTE,
};

/**
 * One address, over every account and every kind of credential it tries: more room (an office or a school behind one
 * NAT address), the same growth.
 */
export const ADDRESS_POLICY: FailurePolicy = {
  free: 20,
  windowMs: 15 * MINUTE,
  firstBlockMs: 30_000,
  maxBlockMs: 60 * MINUTE,
};

/** What was tried: the `kind` label of the metric and the log line. */
export type CredentialKind = 'password' | 'sso_key' | 'api_key';

/** Said when a key becomes blocked (a log line and a metric) and when an attempt is refused because it is. */
export interface ThrottleReport {
  blocked(notice: { kind: CredentialKind; key: string; blockMs: number }): void;
  refused(notice: { kind: CredentialKind; key: string; waitMs: number }): void;
}

/** The answer while blocked: how long to wait, in the message and in Retry-After. */
export function tooManyAttempts(waitMs: number): ApiError {
  const seconds = Math.max(1, Math.ceil(waitMs / 1000));
  return new ApiError(
    'too_many_attempts',
    429,
    `Too many failed attempts from this address or for this account: try again in ${seconds} s (Retry-After).`,
    'error',
    { retryAfterSeconds: seconds },
  );
}

/** The errors that mean "this credential is wrong", as opposed to bad input or a fault. */
const isRefusal = (error: unknown): boolean =>
  error instanceof ApiError && (error.id === 'login_refused' || error.id === 'forbidden');

export class CredentialThrottle {
  constructor(
    private readonly limits: SharedLimits,
    private readonly report: ThrottleReport,
  ) {}

  /**
   * Runs one attempt unless the address or the account is blocked. `account` (a lower-cased email) is counted and
   * forgiven on success; the address is only counted, so a success does not clear what an attacker tried before.
   */
  async attempt<T>(
    kind: CredentialKind,
    who: { address: string; account?: string },
    verify: () => Promise<T>,
  ): Promise<T> {
    const subjects = [
      { key: `${kind === 'api_key' ? 'key' : 'login'}:address:${who.address}`, policy: ADDRESS_POLICY },
    ];
    if (who.account !== undefined) subjects.push({ key: `login:account:${who.account}`, policy: ACCOUNT_POLICY });
    const waits = await Promise.all(subjects.map((subject) => this.limits.blockedFor(subject.key)));
    const waitMs = Math.max(...waits);
    if (waitMs > 0) {
      const blockedKey = subjects[waits.indexOf(waitMs)]?.key ?? '';
      this.report.refused({ kind, key: blockedKey, waitMs });
      throw tooManyAttempts(waitMs);
    }
    try {
      const result = await verify();
      if (who.account !== undefined) await this.limits.forgive(`login:account:${who.account}`);
      return result;
    } catch (error) {
      if (isRefusal(error))
        for (const subject of subjects) {
          const blockMs = await this.limits.fail(subject.key, subject.policy);
          if (blockMs > 0) this.report.blocked({ kind, key: subject.key, blockMs });
        }
      throw error;
    }
  }
}
