// The token bucket behind channels' send rates and sockets' frame rates: bursts, refill, the wait it answers, a rate
// changed while in use.
import { describe, expect, it } from 'vitest';
import { TokenBucket } from './token-bucket.js';

describe('TokenBucket', () => {
  it('lets a full burst through at once, then answers the wait until the next token', () => {
    const bucket = new TokenBucket(3, 0);
    const rate = { perSecond: 2, burst: 3 };
    expect([bucket.take(rate, 0), bucket.take(rate, 0), bucket.take(rate, 0)]).toEqual([0, 0, 0]);
    // Empty: a token every 500 ms at 2 per second.
    expect(bucket.take(rate, 0)).toBe(500);
    expect(bucket.take(rate, 200)).toBe(300);
    expect(bucket.take(rate, 500)).toBe(0);
    expect(bucket.take(rate, 500)).toBe(500);
  });

  it('refills up to the burst and no further after a quiet spell', () => {
    const bucket = new TokenBucket(2, 0);
    const rate = { perSecond: 10, burst: 2 };
    bucket.take(rate, 0);
    bucket.take(rate, 0);
    // An hour idle still holds only the burst.
    const later = 3_600_000;
    expect([bucket.take(rate, later), bucket.take(rate, later), bucket.take(rate, later)]).toEqual([0, 0, 100]);
  });

  it('applies a rate changed between takes (a raised limit, an edited send rate) from the next take', () => {
    const bucket = new TokenBucket(1, 0);
    expect(bucket.take({ perSecond: 1, burst: 1 }, 0)).toBe(0);
    expect(bucket.take({ perSecond: 1, burst: 1 }, 0)).toBe(1000);
    // Raised to 1000 per second: 10 ms refill 10 tokens.
    const raised = { perSecond: 1000, burst: 1000 };
    for (let index = 0; index < 10; index += 1) expect(bucket.take(raised, 10)).toBe(0);
    expect(bucket.take(raised, 10)).toBe(1);
    // Lowered: what the bucket holds is cut to the new burst.
    const lowered = { perSecond: 1, burst: 1 };
    expect(bucket.take(raised, 100)).toBe(0);
    expect(bucket.take(lowered, 100)).toBe(0);
    expect(bucket.take(lowered, 100)).toBe(1000);
  });
});
