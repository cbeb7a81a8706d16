// The one token bucket of the server: a channel's send rate (channels/send-rate.ts, when the node runs alone or Redis
// is down) and a socket's frame rate (realtime/connection.ts). Redis's shared bucket (BUCKET_SCRIPT) applies the
// same arithmetic on Redis's clock.

/** How fast a bucket refills and how many tokens it holds at most (what a burst may spend at once). */
export interface BucketRate {
  perSecond: number;
  burst: number;
}

/**
 * A bucket that remembers only its tokens and when it last refilled: the rate is passed to each take, so its owner
 * may change it at any time (a channel's edited send rate, a trusted socket's raised limit) and a bucket costs two
 * numbers per socket.
 */
export class TokenBucket {
  private tokens: number;
  private refilledAt: number;

  /** Starts full: `initialTokens` is the burst of the rate it will be taken at. */
  constructor(initialTokens: number, now = Date.now()) {
    this.tokens = initialTokens;
    this.refilledAt = now;
  }

  /** Takes a token: answers 0 when one was taken, else the milliseconds until one is available (nothing taken). */
  take(rate: BucketRate, now = Date.now()): number {
    this.tokens = Math.min(rate.burst, this.tokens + ((now - this.refilledAt) / 1000) * rate.perSecond);
    this.refilledAt = now;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return 0;
    }
    return Math.ceil(((1 - this.tokens) / rate.perSecond) * 1000);
  }
}
