// The installation's limits in one place: request rates (token buckets per visitor, address or website) and the
// throttle of wrong credentials, over one shared store, reporting to the logs and metrics.
import { ApiError } from '../errors.js';
import type { BucketRate } from '../token-bucket.js';
import { CredentialThrottle, type ThrottleReport } from './credentials.js';
import type { SharedLimits } from './shared-limits.js';

/** A bucket a request must take a token from, and what to say when it is empty. */
export interface RequestLimit {
  /** The metric's `limit` label (`visitor`, `new_visitors_per_address`, `website`). */
  name: string;
  key: string;
  rate: BucketRate;
  /** Completes "Too many requests …": who went too fast, and the limit (`from this visitor: at most 20 a second`). */
  refusal: string;
}

/** What the limits tell the logs and metrics. */
export interface LimitReport extends ThrottleReport {
  throttled(notice: { limit: string; key: string; waitMs: number }): void;
}

export class Limits {
  readonly credentials: CredentialThrottle;

  constructor(
    readonly store: SharedLimits,
    private readonly report: LimitReport,
  ) {
    this.credentials = new CredentialThrottle(store, report);
  }

  /**
   * Takes a token from each limit in order and answers 429 (with Retry-After) at the first that has none: a refused
   * request does not spend the later, wider limits (a website's ceiling is not drained by one visitor's excess).
   */
  async take(limits: readonly RequestLimit[]): Promise<void> {
    for (const limit of limits) {
      const waitMs = await this.store.take(limit.key, limit.rate);
      if (waitMs === 0) continue;
      this.report.throttled({ limit: limit.name, key: limit.key, waitMs });
      const seconds = Math.max(1, Math.ceil(waitMs / 1000));
      throw new ApiError(
        'rate_limited',
        429,
        `Too many requests ${limit.refusal}. Try again in ${seconds} s (Retry-After).`,
        'fail',
        { retryAfterSeconds: seconds },
      );
    }
  }

  close(): Promise<void> {
    return this.store.close();
  }
}
