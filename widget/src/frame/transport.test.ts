// Reconnect pacing: quick first retries, capped, jittered so a restarted node is not hit by every visitor at once.
import { describe, expect, it } from 'vitest';
import { backoffMs } from './transport';

describe('backoffMs', () => {
  it('doubles from half a second up to 15 s, within ±25 % jitter', () => {
    expect([0, 1, 2, 3, 10].map((attempt) => backoffMs(attempt, () => 0.5))).toEqual([500, 1000, 2000, 4000, 15000]);
    expect(backoffMs(0, () => 0)).toBe(375);
    expect(backoffMs(20, () => 0.999)).toBeLessThanOrEqual(18_750);
  });
});
