import { describe, expect, it } from 'vitest';
import { dayBefore } from './rome-day';

describe('dayBefore (Europe/Rome calendar)', () => {
  it("is Rome's date, not UTC's, in the hour Rome is already a day ahead", () => {
    // 23:38 UTC on 4 December is 00:38 on 5 December in Rome (CET, +01:00).
    const lateEvening = Date.parse('2026-12-04T23:38:00Z');
    expect(dayBefore(0, lateEvening)).toBe('2026-12-05');
    expect(dayBefore(-1, lateEvening)).toBe('2026-12-06');
    expect(dayBefore(30, lateEvening)).toBe('2026-11-05');
  });

  it('follows summer time and crosses months and years', () => {
    expect(dayBefore(0, Date.parse('2026-07-01T21:59:00Z'))).toBe('2026-07-01');
    expect(dayBefore(0, Date.parse('2026-07-01T22:00:00Z'))).toBe('2026-07-02');
    expect(dayBefore(-1, Date.parse('2026-12-31T12:00:00Z'))).toBe('2027-01-01');
    expect(dayBefore(1, Date.parse('2026-03-01T12:00:00Z'))).toBe('2026-02-28');
  });
});
