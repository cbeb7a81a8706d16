// One email rule for every place that takes an address; these are the cases on which the earlier copies disagreed.
import { describe, expect, it } from 'vitest';
import { EMAIL_MAX, isEmailAddress } from './email.js';

describe('isEmailAddress', () => {
  it('accepts ordinary addresses, service accounts and plus tags', () => {
    for (const address of [
      'julie@shop.example',
      'causerie-rbm@project-1.iam.gserviceaccount.com',
      'ada+support@demo.causerie.test',
    ])
      expect(isEmailAddress(address), address).toBe(true);
  });

  it('refuses what the copies disagreed on: no dot in the domain, spaces, two @, over 254 characters', () => {
    const long = `${'a'.repeat(EMAIL_MAX - '@shop.example'.length + 1)}@shop.example`;
    expect(long.length).toBe(EMAIL_MAX + 1);
    expect(isEmailAddress(long.slice(1))).toBe(true);
    for (const address of ['a@b', 'julie @shop.example', 'julie@@shop.example', 'julie@shop.example ', '', long])
      expect(isEmailAddress(address), address).toBe(false);
  });
});
