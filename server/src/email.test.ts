// One email rule for every place that takes an address; these are the cases on which the earlier copies disagreed.
import { describe, expect, it } from 'vitest';
import { EMAIL_MAX, isEmailAddress } from './email.js';
import { readInbound } from './realtime/frame-catalogue.js';

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

  it("holds on the visitor socket too: the offline form's email and a signed identity's email", () => {
    const hello = (email: string) =>
      readInbound(
        'visitor',
        JSON.stringify({ type: 'hello', website_id: 1, identity: { external_id: 'customer-42', email, hash: 'ab' } }),
      );
    const start = (email: string) => readInbound('visitor', JSON.stringify({ type: 'start', email }));
    for (const read of [hello, start]) {
      expect(read('julie@shop.example')).toHaveProperty('frame');
      // The identity's email was checked by a looser rule (no dot needed, 320 characters) than the one stored by the API.
      for (const address of ['a@b', 'julie @shop.example', `${'a'.repeat(EMAIL_MAX)}@shop.example`]) {
        const answer = read(address);
        expect('error' in answer && answer.error.field, address).toMatch(/email$/);
      }
    }
  });
});
