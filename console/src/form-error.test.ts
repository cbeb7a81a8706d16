// A failed call names the form field to mark: the server's `field` first, else the one its message names.
import { CauserieError } from '@causerie/sdk/client';
import { describe, expect, it } from 'vitest';
import { fieldInMessage, formErrorOf, formField } from './form-error';

describe('formErrorOf', () => {
  it("takes the error's field when the server names one, whatever its message says", () => {
    const failure = new CauserieError(
      400,
      'Ce numéro est déjà utilisé.',
      {},
      'conflict',
      'credentials[phone_number_id]',
    );
    expect(formErrorOf(failure)).toEqual({
      message: 'Ce numéro est déjà utilisé.',
      field: 'credentials.phone_number_id',
    });
  });

  it('reads the field from the message of a server that does not send one', () => {
    const failure = new CauserieError(400, "Field 'website_id' is missing.", {}, 'field_missing');
    expect(formErrorOf(failure)).toEqual({ message: "Field 'website_id' is missing.", field: 'website_id' });
  });

  it('marks no field for a failure that concerns none, or that is not an API answer', () => {
    expect(formErrorOf(new CauserieError(502, 'RBM refused the tester invitation', {}, 'provider_error'))).toEqual({
      message: 'RBM refused the tester invitation',
      field: null,
    });
    expect(formErrorOf(new TypeError('Failed to fetch'))).toEqual({ message: 'Failed to fetch', field: null });
  });
});

describe('formField', () => {
  it('maps API field paths to the inputs of the forms', () => {
    expect(formField('credentials[app_secret]')).toBe('credentials.app_secret');
    expect(formField('credentials[service_account][private_key]')).toBe('credentials.service_account');
    expect(formField('/credentials/verify_token')).toBe('credentials.verify_token');
    expect(formField('credentials')).toBe('credentials');
    expect(formField('base_url')).toBe('base_url');
    expect(formField(null)).toBeNull();
  });
});

describe('fieldInMessage', () => {
  it("reads the field of seed 003's wording only", () => {
    expect(fieldInMessage("Value of field 'credentials[app_secret]' is not valid. The Meta app's secret…")).toBe(
      'credentials[app_secret]',
    );
    expect(fieldInMessage("Field 'credentials[verify_token]' is missing.")).toBe('credentials[verify_token]');
    expect(fieldInMessage('RBM refused the tester invitation')).toBeNull();
  });
});
