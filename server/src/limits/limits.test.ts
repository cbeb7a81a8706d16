// The limits' store: failure counts with a block that doubles, token buckets, the order in which a request's limits
// are taken, and the Redis store shared by two nodes (a real redis-server) with its fallback when Redis is gone.
import { killAll, startRedis } from '@causerie/test-support/processes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError } from '../errors.js';
import { WEBSITE_CEILING } from '../realtime/fallback-limits.js';
import { ACCOUNT_POLICY } from './credentials.js';
import { type LimitReport, Limits, type RequestLimit } from './limits.js';
import { blockAfter, type FailurePolicy, LocalLimits, RedisLimits } from './shared-limits.js';

const POLICY: FailurePolicy = { free: 3, windowMs: 60_000, firstBlockMs: 1_000, maxBlockMs: 8_000 };

const silentReport = (): LimitReport & { throttledLimits: string[] } => {
  const throttledLimits: string[] = [];
  return {
    throttledLimits,
    blocked: () => undefined,
    refused: () => undefined,
    throttled: ({ limit }) => {
      throttledLimits.push(limit);
    },
  };
};

describe('failure counts', () => {
  it('doubles the block with each failure past the free ones, up to the cap', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8].map((n) => blockAfter(n, POLICY))).toEqual([
      0, 0, 0, 1_000, 2_000, 4_000, 8_000, 8_000,
    ]);
    expect(blockAfter(ACCOUNT_POLICY.free + 1, ACCOUNT_POLICY)).toBe(30_000);
  });

  it('blocks a key for the growing time, forgets failures after the window, and forgives on request', async () => {
    let now = 1_000_000;
    const limits = new LocalLimits(() => now);
    for (let i = 0; i < 3; i++) expect(await limits.fail('k', POLICY)).toBe(0);
    expect(await limits.blockedFor('k')).toBe(0);
    expect(await limits.fail('k', POLICY)).toBe(1_000);
    expect(await limits.blockedFor('k')).toBe(1_000);
    now += 400;
    expect(await limits.blockedFor('k')).toBe(600);
    now += 600;
    expect(await limits.blockedFor('k')).toBe(0);
    // The next failure after the block doubles it: the count was not reset by waiting out a block.
    expect(await limits.fail('k', POLICY)).toBe(2_000);
    // Other keys are their own.
    expect(await limits.blockedFor('other')).toBe(0);
    // Past the window after the last failure, the count starts again.
    now += POLICY.windowMs + 1;
    expect(await limits.fail('k', POLICY)).toBe(0);
    await limits.forgive('k');
    for (let i = 0; i < 3; i++) expect(await limits.fail('k', POLICY)).toBe(0);
  });
});

describe('request limits', () => {
  const visitor = (vuid: string): RequestLimit => ({
    name: 'visitor',
    key: `visitor:${vuid}`,
    rate: { perSecond: 20, burst: 3 },
    refusal: 'from this visitor',
  });
  const website: RequestLimit = {
    name: 'website',
    key: 'website:1',
    rate: WEBSITE_CEILING,
    refusal: 'to this website',
  };

  it('answers 429 with Retry-After at the first empty bucket, without spending the later ones', async () => {
    const report = silentReport();
    const limits = new Limits(new LocalLimits(), report);
    for (let i = 0; i < 3; i++) await limits.take([visitor('a'), website]);
    const refusal = await limits.take([visitor('a'), website]).catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(ApiError);
    expect(refusal).toMatchObject({ id: 'rate_limited', httpStatus: 429, retryAfterSeconds: 1 });
    expect((refusal as ApiError).message).toMatch(/^Too many requests from this visitor\. Try again in 1 s/);
    expect(report.throttledLimits).toEqual(['visitor']);
    // The website spent 3 tokens, not 4: its ceiling is what its burst says, less the requests that got through.
    const store = new LocalLimits();
    const ceiling = new Limits(store, silentReport());
    let passed = 0;
    for (let i = 0; i < WEBSITE_CEILING.burst + 50; i++)
      if (
        await ceiling.take([website]).then(
          () => true,
          () => false,
        )
      )
        passed++;
    // The burst, plus what refilled at 500 a second while the loop ran.
    expect(passed).toBeGreaterThanOrEqual(WEBSITE_CEILING.burst);
    expect(passed).toBeLessThan(WEBSITE_CEILING.burst + 50);
  });
});

describe('in Redis, shared by the nodes', () => {
  let redisUrl: string;
  beforeAll(async () => {
    redisUrl = (await startRedis()).url;
  }, 30_000);
  afterAll(() => killAll());

  it('counts the failures of both nodes together and blocks on both', async () => {
    const first = new RedisLimits(redisUrl, () => undefined);
    const second = new RedisLimits(redisUrl, () => undefined);
    try {
      await first.forgive('shared');
      expect(await first.fail('shared', POLICY)).toBe(0);
      expect(await second.fail('shared', POLICY)).toBe(0);
      expect(await first.fail('shared', POLICY)).toBe(0);
      expect(await second.fail('shared', POLICY)).toBe(1_000);
      const blocked = await first.blockedFor('shared');
      expect(blocked).toBeGreaterThan(900);
      expect(blocked).toBeLessThanOrEqual(1_000);
      await second.forgive('shared');
      expect(await first.blockedFor('shared')).toBe(0);
    } finally {
      await first.close();
      await second.close();
    }
  });

  it('shares a bucket between the nodes', async () => {
    const first = new RedisLimits(redisUrl, () => undefined);
    const second = new RedisLimits(redisUrl, () => undefined);
    try {
      const rate = { perSecond: 1, burst: 4 };
      const waits = [];
      for (let i = 0; i < 6; i++) waits.push(await (i % 2 === 0 ? first : second).take('bucket-shared', rate));
      expect(waits.slice(0, 4)).toEqual([0, 0, 0, 0]);
      expect(waits[4]).toBeGreaterThan(0);
      expect(waits[4]).toBeLessThanOrEqual(1_000);
    } finally {
      await first.close();
      await second.close();
    }
  });

  it('falls back to counting on this node, with one warning, when Redis is unreachable', async () => {
    const warnings: string[] = [];
    const limits = new RedisLimits('redis://127.0.0.1:1', (_error, what) => warnings.push(what));
    try {
      for (let i = 0; i < 3; i++) expect(await limits.fail('down', POLICY)).toBe(0);
      expect(await limits.fail('down', POLICY)).toBe(1_000);
      expect(await limits.blockedFor('down')).toBeGreaterThan(0);
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toMatch(/Redis unreachable for limits/);
    } finally {
      await limits.close();
    }
  });
});
