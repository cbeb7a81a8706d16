// SMS segment counts as carriers bill them: GSM-7 160 / 153 per part, extension characters counting twice, UCS-2
// (any other character, emoji as two units) 70 / 67 per part.
import { describe, expect, it } from 'vitest';
import { smsSegments } from './sms-segments.js';

describe('smsSegments', () => {
  it('counts GSM-7 texts: 160 in one message, 153 per part beyond', () => {
    expect(smsSegments('')).toBe(1);
    expect(smsSegments('a'.repeat(160))).toBe(1);
    expect(smsSegments('a'.repeat(161))).toBe(2);
    expect(smsSegments('a'.repeat(306))).toBe(2);
    expect(smsSegments('a'.repeat(307))).toBe(3);
    expect(smsSegments('Il tuo ordine è in consegna: €39,90 ~ [OK]')).toBe(1);
  });

  it('counts extension characters twice', () => {
    expect(smsSegments('€'.repeat(80))).toBe(1);
    expect(smsSegments('€'.repeat(81))).toBe(2);
  });

  it('switches the whole text to UCS-2 for any other character: 70 in one, 67 per part, emoji as two', () => {
    expect(smsSegments(`${'a'.repeat(69)}ł`)).toBe(1);
    expect(smsSegments(`${'a'.repeat(70)}ł`)).toBe(2);
    expect(smsSegments('😀'.repeat(35))).toBe(1);
    expect(smsSegments('😀'.repeat(36))).toBe(2);
    expect(smsSegments(`${'a'.repeat(133)}ł`)).toBe(2);
    expect(smsSegments(`${'a'.repeat(134)}ł`)).toBe(3);
  });
});
