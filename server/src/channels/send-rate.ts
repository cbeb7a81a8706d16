// Channels' send rates: a token bucket per channel (`send_rate` messages per second, bursts up to the same number),
// held in this process when the node runs alone, or in Redis when nodes share one (REDIS_URL), so the rate a provider
// grants a number holds for all the nodes together rather than for each of them. The buckets are the shared limits'
// (limits/shared-limits.ts): the same script on Redis's clock, the same fallback to this node when Redis is down.
import { bucketKey, type LimitsWarning, LocalLimits, RedisLimits, type SharedLimits } from '../limits/shared-limits.js';

/** Where sends of a channel get their permission to leave. */
export interface SendRate {
  /** Takes a token of the channel's bucket (answers 0), or answers how many milliseconds until one is available. */
  take(channelId: number, rate: number): Promise<number>;
  /** Releases what the limiter holds (its Redis connection). */
  close(): Promise<void>;
}

/** Warnings go here (the channel runtime's logger). */
export type SendRateWarning = LimitsWarning;

const bucketOf = (channelId: number): string => `send-rate:${channelId}`;

/** The Redis key of a channel's bucket. */
export const sendRateKey = (channelId: number): string => bucketKey(bucketOf(channelId));

/** A channel's bucket in a limits store: its burst is its rate, a second's worth of sends. */
class BucketSendRate implements SendRate {
  constructor(private readonly limits: SharedLimits) {}

  take(channelId: number, rate: number): Promise<number> {
    return this.limits.take(bucketOf(channelId), { perSecond: rate, burst: rate });
  }

  close(): Promise<void> {
    return this.limits.close();
  }
}

/** The buckets of one process: exact for a node alone; with several nodes each would send at the full rate. */
export class LocalSendRate extends BucketSendRate {
  constructor() {
    super(new LocalLimits());
  }
}

/**
 * The buckets in Redis, shared by every node. When Redis does not answer, sends are not stopped: they fall back to
 * this node's own bucket at the channel's full rate (the providers' 130429-style refusals are retried anyway), and a
 * warning is logged once per outage.
 */
export class RedisSendRate extends BucketSendRate {
  constructor(url: string, warn: SendRateWarning) {
    super(new RedisLimits(url, warn));
  }
}

/** The limiter a configuration asks for: Redis when REDIS_URL is set, this process's buckets otherwise. */
export function createSendRate(redisUrl: string | undefined, warn: SendRateWarning): SendRate {
  return redisUrl === undefined ? new LocalSendRate() : new RedisSendRate(redisUrl, warn);
}
