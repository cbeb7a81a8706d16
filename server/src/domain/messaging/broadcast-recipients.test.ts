import { describe, expect, it } from 'vitest';
import { ApiError } from '../../errors.js';
import { readCountry, readHeader, readPhone, readRecipient } from './broadcast-recipients.js';

describe('broadcast recipients', () => {
  it('finds the phone column by any usual name and the variables by theirs', () => {
    const columns = readHeader(['Téléphone', 'firstname', 'order'], ['firstname']);
    expect(columns.phone).toBe(0);
    expect([...columns.variables.keys()]).toEqual(['firstname', 'order']);
  });

  it('refuses a header without a phone column or a variable the content needs, listing the expected columns', () => {
    const noPhone = (() => {
      try {
        readHeader(['name', 'firstname'], ['firstname']);
      } catch (error) {
        return error;
      }
    })();
    expect(noPhone).toBeInstanceOf(ApiError);
    expect((noPhone as ApiError).message).toContain('Expected columns: phone, firstname');
    expect(() => readHeader(['phone'], ['firstname', 'order'])).toThrow(/lacks the columns 'firstname', 'order'/);
    expect(() => readHeader(['phone', 'a', 'a'], [])).toThrow(/'a' twice/);
  });

  it('reads numbers in E.164, national numbers with a default country, and says why a number is refused', () => {
    expect(readPhone('+33 6 12 34 56 78', undefined)).toEqual({ phone: '+33612345678' });
    expect(readPhone('06 12 34 56 78', readCountry('fr'))).toEqual({ phone: '+33612345678' });
    expect(readPhone('06 12 34 56 78', undefined)).toMatchObject({
      reason: expect.stringContaining('default_country'),
    });
    expect(readPhone('+33 1 42 68 53 00', undefined)).toMatchObject({ reason: expect.stringContaining('landline') });
    expect(readPhone('+3361', undefined)).toMatchObject({ reason: expect.stringContaining('not a valid') });
    expect(() => readCountry('XX')).toThrow(/default_country|ISO/);
  });

  it('turns a line into a recipient or a problem naming the line and the field', () => {
    const columns = readHeader(['phone', 'firstname', 'note'], ['firstname']);
    const required = new Set(['firstname']);
    expect(readRecipient(2, ['+33612345678', ' Léa ', ''], columns, required, undefined)).toEqual({
      line: 2,
      to: '+33612345678',
      variables: { firstname: 'Léa', note: '' },
    });
    expect(readRecipient(3, ['+33612345678', '', 'x'], columns, required, undefined)).toMatchObject({
      line: 3,
      field: 'firstname',
    });
    expect(readRecipient(4, ['nope'], columns, required, undefined)).toMatchObject({
      line: 4,
      field: 'phone',
      value: 'nope',
    });
  });
});
