// Channels' send rates: a token bucket per channel (`send_rate` messages per second, bursts up to the same number),
// held in this process when the node runs alone, or in Redis when nodes share one (REDIS_URL), so the rate a provider
// grants a number holds for all the nodes together rather than for each of them.
import { createHash } from 'node:crypto';
import { Redis } from 'ioredis';
import { TokenBucket } from '../token-bucket.js';

/** Where sends of a channel get their permission to leave. */
export interface SendRate {
  /** Takes a token of the channel's bucket (answers 0), or answers how many milliseconds until one is available. */
  take(channelId: number, rate: number): Promise<number>;
  /** Releases what the limiter holds (its Redis connection). */
  close(): Promise<void>;
}

/** Warnings go here (the channel runtime's logger). */
export type SendRateWarning = (error: unknown, what: string) => void;

/** The buckets of one process: exact for a node alone; with several nodes each would send at the full rate. */
export class LocalSendRate implements SendRate {
  private readonly buckets = new Map<number, TokenBucket>();

  take(channelId: number, rate: number): Promise<number> {
    return Promise.resolve(this.takeNow(channelId, rate));
  }

  /** The same, synchronously (the Redis limiter's fallback). */
  takeNow(channelId: number, rate: number): number {
    let bucket = this.buckets.get(channelId);
    if (bucket === undefined) {
      bucket = new TokenBucket(rate);
      this.buckets.set(channelId, bucket);
    }
    // A channel's burst is its rate: a second's worth of sends.
    return bucket.take({ perSecond: rate, burst: rate });
  }

  async close(): Promise<void> {
    this.buckets.clear();
  }
}

/** The Redis key of a channel's bucket. */
export const sendRateKey = (channelId: number): string => `causerie:send-rate:${channelId}`;

/**
 * KEYS[1] the bucket (a hash: `tokens`, `at` in microseconds of Redis TIME); ARGV[1] the rate, also the burst; ARGV[2]
 * the key's lifetime in ms. Answers 0 when a token was taken, else the milliseconds until one is available. Redis runs
 * a script alone, so nodes taking at the same instant are served one after the other; TIME is Redis's clock, the same
 * for every node (effects replication, the default since Redis 5, allows writes after it).
 */
export const SEND_RATE_SCRIPT = `
local rate = tonumber(ARGV[1])
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000000 + tonumber(clock[2])
local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(state[1])
local at = tonumber(state[2])
if tokens == nil or at == nil then
  tokens = rate
  at = now
end
if now > at then tokens = math.min(rate, tokens + (now - at) * rate / 1000000) end
if tokens > rate then tokens = rate end
local wait = 0
if tokens >= 1 then
  tokens = tokens - 1
else
  wait = math.ceil((1 - tokens) * 1000 / rate)
end
redis.call('HSET', KEYS[1], 'tokens', string.format('%.6f', tokens), 'at', string.format('%d', now))
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[2]))
return wait
`;

const SCRIPT_SHA = createHash('sha1').update(SEND_RATE_SCRIPT).digest('hex');

/**
 * A bucket refills completely in one second (burst = rate): an idle key is then the same as no key, so keys live a
 * few seconds after their last use and disappear.
 */
const KEY_TTL_MS = 10_000;

/** How long a send waits for Redis before it falls back to this node's bucket. */
const REDIS_TIMEOUT_MS = 500;

/**
 * The buckets in Redis, shared by every node. When Redis does not answer, sends are not stopped: they fall back to
 * this node's own bucket at the channel's full rate (the providers' 130429-style refusals are retried anyway), and a
 * warning is logged once per outage.
 */
export class RedisSendRate implements SendRate {
  private readonly redis: Redis;
  private readonly local = new LocalSendRate();
  /** Redis failed and has not been ready since: use the local bucket without waiting for it. */
  private down = false;

  constructor(
    url: string,
    private readonly warn: SendRateWarning,
  ) {
    // A short command timeout and one retry: a send must not wait for Redis to come back.
    this.redis = new Redis(url, {
      maxRetriesPerRequest: 1,
      commandTimeout: REDIS_TIMEOUT_MS,
      connectionName: 'causerie-send-rate',
    });
    // Connection errors repeat at every reconnection attempt; the failed takes report the outage, once.
    this.redis.on('error', () => undefined);
    this.redis.on('ready', () => {
      this.down = false;
    });
  }

  async take(channelId: number, rate: number): Promise<number> {
    if (this.down && this.redis.status !== 'ready') return this.local.takeNow(channelId, rate);
    try {
      return Number(await this.evaluate(sendRateKey(channelId), rate));
    } catch (error) {
      if (!this.down)
        this.warn(error, 'Redis unreachable for send rates; each node applies the whole rate alone until it is back');
      this.down = true;
      return this.local.takeNow(channelId, rate);
    }
  }

  /** EVALSHA, and EVAL when Redis does not know the script yet (after a restart or SCRIPT FLUSH), which caches it. */
  private async evaluate(key: string, rate: number): Promise<unknown> {
    try {
      return await this.redis.evalsha(SCRIPT_SHA, 1, key, rate, KEY_TTL_MS);
    } catch (error) {
      if (!(error instanceof Error) || !error.message.includes('NOSCRIPT')) throw error;
      return this.redis.eval(SEND_RATE_SCRIPT, 1, key, rate, KEY_TTL_MS);
    }
  }

  async close(): Promise<void> {
    this.redis.disconnect();
    await this.local.close();
  }
}

/** The limiter a configuration asks for: Redis when REDIS_URL is set, this process's buckets otherwise. */
export function createSendRate(redisUrl: string | undefined, warn: SendRateWarning): SendRate {
  return redisUrl === undefined ? new LocalSendRate() : new RedisSendRate(redisUrl, warn);
}
