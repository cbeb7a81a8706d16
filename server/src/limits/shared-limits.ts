// Limits that hold for the whole installation: token buckets (how fast a visitor, an address or a website may go) and
// failure counters with growing back-off (how many wrong passwords or keys an address or an account may try). Kept in
// this process when the node runs alone, in Redis when nodes share one (REDIS_URL), so a limit is not multiplied by
// the number of nodes behind the load balancer.
import { createHash } from 'node:crypto';
import { Redis } from 'ioredis';
import { type BucketRate, TokenBucket } from '../token-bucket.js';

/** How many failures are free, how long they are remembered, and how the block grows after that. */
export interface FailurePolicy {
  /** Failures allowed within the window before the key is blocked. */
  free: number;
  /** Failures are forgotten this long after the last one. */
  windowMs: number;
  /** The block after the first failure over `free`; each further failure doubles it… */
  firstBlockMs: number;
  /** …up to this. */
  maxBlockMs: number;
}

/** The limits' store, shared by every node when Redis is configured. Keys are free text (`login:account:a@b.c`). */
export interface SharedLimits {
  /** Takes a token of the key's bucket (answers 0), or answers the milliseconds until one is available. */
  take(key: string, rate: BucketRate): Promise<number>;
  /** How many milliseconds the key is still blocked for (0: it may try). */
  blockedFor(key: string): Promise<number>;
  /** Records a failure; answers the block it puts in force (0 while failures are still free). */
  fail(key: string, policy: FailurePolicy): Promise<number>;
  /** Forgets the key's failures (a success after a few typing mistakes). */
  forgive(key: string): Promise<void>;
  close(): Promise<void>;
}

/** The block the n-th failure under a policy puts in force. */
export function blockAfter(failures: number, policy: FailurePolicy): number {
  if (failures <= policy.free) return 0;
  return Math.min(policy.maxBlockMs, policy.firstBlockMs * 2 ** (failures - policy.free - 1));
}

interface FailureRecord {
  count: number;
  blockedUntil: number;
  forgetAt: number;
}

/** Above this many keys a map is pruned: an address flood must not grow the process without bound. */
const MAX_KEYS = 100_000;

/** The limits of one process: exact for a node alone; with several nodes, each would allow the whole limit. */
export class LocalLimits implements SharedLimits {
  private readonly buckets = new Map<string, TokenBucket>();
  private readonly failures = new Map<string, FailureRecord>();

  constructor(private readonly now: () => number = Date.now) {}

  take(key: string, rate: BucketRate): Promise<number> {
    return Promise.resolve(this.takeNow(key, rate));
  }

  /** The same, synchronously (the Redis store's fallback). */
  takeNow(key: string, rate: BucketRate): number {
    let bucket = this.buckets.get(key);
    if (bucket === undefined) {
      // Dropping every bucket only refills them: lenient for a moment, never wrong for long.
      if (this.buckets.size >= MAX_KEYS) this.buckets.clear();
      bucket = new TokenBucket(rate.burst, this.now());
      this.buckets.set(key, bucket);
    }
    return bucket.take(rate, this.now());
  }

  blockedFor(key: string): Promise<number> {
    return Promise.resolve(this.blockedForNow(key));
  }

  blockedForNow(key: string): number {
    const record = this.failures.get(key);
    return record === undefined ? 0 : Math.max(0, record.blockedUntil - this.now());
  }

  fail(key: string, policy: FailurePolicy): Promise<number> {
    return Promise.resolve(this.failNow(key, policy));
  }

  failNow(key: string, policy: FailurePolicy): number {
    const now = this.now();
    const earlier = this.failures.get(key);
    const count = earlier !== undefined && earlier.forgetAt > now ? earlier.count + 1 : 1;
    const block = blockAfter(count, policy);
    // Re-inserted so the map's order is the order of last failure: pruning drops the stalest first.
    this.failures.delete(key);
    if (this.failures.size >= MAX_KEYS) this.prune(now);
    this.failures.set(key, { count, blockedUntil: now + block, forgetAt: now + Math.max(policy.windowMs, block) });
    return block;
  }

  forgive(key: string): Promise<void> {
    this.failures.delete(key);
    return Promise.resolve();
  }

  async close(): Promise<void> {
    this.buckets.clear();
    this.failures.clear();
  }

  private prune(now: number): void {
    for (const [key, record] of this.failures) if (record.forgetAt <= now) this.failures.delete(key);
    // Still full of live records (a flood of addresses): the oldest tenth goes.
    let excess = this.failures.size - MAX_KEYS * 0.9;
    for (const key of this.failures.keys()) {
      if (excess-- <= 0) break;
      this.failures.delete(key);
    }
  }
}

const KEY_PREFIX = 'causerie:limit:';

/** The Redis key of a bucket taken with `take(key, …)` (tests look at it). */
export const bucketKey = (key: string): string => `${KEY_PREFIX}bucket:${key}`;

/**
 * KEYS[1] a bucket (hash `tokens`, `at` in microseconds of Redis TIME); ARGV[1] tokens per second, ARGV[2] the burst,
 * ARGV[3] the key's lifetime in ms. Answers 0 when a token was taken, else the milliseconds until one is available.
 * Redis runs a script alone, so nodes taking at the same instant are served one after the other; TIME is Redis's
 * clock, the same for every node.
 */
export const BUCKET_SCRIPT = `
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000000 + tonumber(clock[2])
local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(state[1])
local at = tonumber(state[2])
if tokens == nil or at == nil then
  tokens = burst
  at = now
end
if now > at then tokens = math.min(burst, tokens + (now - at) * rate / 1000000) end
if tokens > burst then tokens = burst end
local wait = 0
if tokens >= 1 then
  tokens = tokens - 1
else
  wait = math.ceil((1 - tokens) * 1000 / rate)
end
redis.call('HSET', KEYS[1], 'tokens', string.format('%.6f', tokens), 'at', string.format('%d', now))
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[3]))
return wait
`;

/**
 * KEYS[1] a failure record (hash `count`, `until` in ms of Redis TIME); ARGV free, window, first block, max block (ms).
 * Counts the failure and answers the block now in force; the record lives for the window or the block, the longer.
 */
export const FAIL_SCRIPT = `
local free = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local first = tonumber(ARGV[3])
local max = tonumber(ARGV[4])
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
local count = (tonumber(redis.call('HGET', KEYS[1], 'count')) or 0) + 1
local block = 0
if count > free then block = math.min(max, first * 2 ^ (count - free - 1)) end
redis.call('HSET', KEYS[1], 'count', string.format('%d', count), 'until', string.format('%d', now + block))
redis.call('PEXPIRE', KEYS[1], math.max(window, block))
return block
`;

/** KEYS[1] a failure record: the milliseconds it is still blocked for. */
export const BLOCKED_SCRIPT = `
local blocked = tonumber(redis.call('HGET', KEYS[1], 'until'))
if blocked == nil then return 0 end
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
if blocked > now then return blocked - now end
return 0
`;

const SCRIPT_SHAS = new Map(
  [BUCKET_SCRIPT, FAIL_SCRIPT, BLOCKED_SCRIPT].map((script) => [
    script,
    createHash('sha1').update(script).digest('hex'),
  ]),
);

/** How long a limit check waits for Redis before it falls back to this node's own count. */
const REDIS_TIMEOUT_MS = 500;

/** Warnings go here (the app's logger). */
export type LimitsWarning = (error: unknown, what: string) => void;

/**
 * The limits in Redis, shared by every node. When Redis does not answer, requests are not stopped: each node falls
 * back to its own counts (the limits then hold per node), and a warning is logged once per outage.
 */
export class RedisLimits implements SharedLimits {
  private readonly redis: Redis;
  private readonly local = new LocalLimits();
  /** Redis failed and has not been ready since: use the local counts without waiting for it. */
  private down = false;

  constructor(
    url: string,
    private readonly warn: LimitsWarning,
  ) {
    // A short command timeout and one retry: a login must not wait for Redis to come back.
    this.redis = new Redis(url, {
      maxRetriesPerRequest: 1,
      commandTimeout: REDIS_TIMEOUT_MS,
      connectionName: 'causerie-limits',
    });
    // Connection errors repeat at every reconnection attempt; the failed commands report the outage, once.
    this.redis.on('error', () => undefined);
    this.redis.on('ready', () => {
      this.down = false;
    });
  }

  take(key: string, rate: BucketRate): Promise<number> {
    // Once empty, a bucket is full again after burst / rate seconds: an idle key is the same as no key.
    const lifetimeMs = Math.ceil((rate.burst / rate.perSecond) * 1000) + 1000;
    return this.run(BUCKET_SCRIPT, `bucket:${key}`, [rate.perSecond, rate.burst, lifetimeMs], () =>
      this.local.takeNow(key, rate),
    );
  }

  blockedFor(key: string): Promise<number> {
    return this.run(BLOCKED_SCRIPT, `failures:${key}`, [], () => this.local.blockedForNow(key));
  }

  fail(key: string, policy: FailurePolicy): Promise<number> {
    return this.run(
      FAIL_SCRIPT,
      `failures:${key}`,
      [policy.free, policy.windowMs, policy.firstBlockMs, policy.maxBlockMs],
      () => this.local.failNow(key, policy),
    );
  }

  async forgive(key: string): Promise<void> {
    await this.local.forgive(key);
    if (this.down && this.redis.status !== 'ready') return;
    try {
      await this.redis.del(`${KEY_PREFIX}failures:${key}`);
    } catch (error) {
      this.wentDown(error);
    }
  }

  async close(): Promise<void> {
    this.redis.disconnect();
    await this.local.close();
  }

  private async run(script: string, key: string, args: number[], fallback: () => number): Promise<number> {
    if (this.down && this.redis.status !== 'ready') return fallback();
    try {
      return Number(await this.evaluate(script, `${KEY_PREFIX}${key}`, args));
    } catch (error) {
      this.wentDown(error);
      return fallback();
    }
  }

  private wentDown(error: unknown): void {
    if (!this.down) this.warn(error, 'Redis unreachable for limits; each node counts alone until it is back');
    this.down = true;
  }

  /** EVALSHA, and EVAL when Redis does not know the script yet (after a restart or SCRIPT FLUSH), which caches it. */
  private async evaluate(script: string, key: string, args: number[]): Promise<unknown> {
    try {
      return await this.redis.evalsha(SCRIPT_SHAS.get(script) ?? '', 1, key, ...args);
    } catch (error) {
      if (!(error instanceof Error) || !error.message.includes('NOSCRIPT')) throw error;
      return this.redis.eval(script, 1, key, ...args);
    }
  }
}

/** The store a configuration asks for: Redis when REDIS_URL is set, this process's counts otherwise. */
export function createSharedLimits(redisUrl: string | undefined, warn: LimitsWarning): SharedLimits {
  return redisUrl === undefined ? new LocalLimits() : new RedisLimits(redisUrl, warn);
}
